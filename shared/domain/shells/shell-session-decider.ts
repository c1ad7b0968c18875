/**
 * A remote shell session: one stream per session (`shell-<session id>`). An admin requests it on
 * a host that enabled the launcher's control feature; the host's launcher joins with the session's
 * one-time secret; the operator joins; the session closes once, with a reason and byte counts.
 */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError } from '../errors';
import {
  SHELL_LAUNCHER_JOINED,
  SHELL_OPERATOR_JOINED,
  SHELL_SESSION_CLOSED,
  SHELL_SESSION_REQUESTED,
  type ShellOperator,
  type ShellSessionClosed,
  type ShellSessionEvent,
  type ShellSessionRequested,
} from './shell-events';

export function shellSessionStreamId(sessionId: string): string {
  return `shell-${sessionId}`;
}

export type ShellSessionStatus = 'none' | 'requested' | 'open' | 'closed';

export interface ShellSessionState {
  status: ShellSessionStatus;
  session: ShellSessionRequested | null;
  launcherJoined: boolean;
  operatorJoined: boolean;
}

export interface RequestShell extends ShellSessionRequested {
  kind: 'request';
  /** Whether the host's launcher has enabled the control feature (polled /api/v1/shells). */
  hostControlEnabled: boolean;
}

export interface JoinAsLauncher {
  kind: 'join-as-launcher';
  host_id: number;
  secret_hash: string;
  now: string;
}

export interface JoinAsOperator {
  kind: 'join-as-operator';
  operator: ShellOperator;
}

export type CloseShell = Omit<ShellSessionClosed, 'session_id'>;

export type ShellSessionCommand = RequestShell | JoinAsLauncher | JoinAsOperator | ({ kind: 'close' } & CloseShell);

function decideRequestShell(command: RequestShell, state: ShellSessionState): ShellSessionEvent[] {
  if (state.status !== 'none') throw new DomainError('conflict', `shell session ${command.session_id} already exists`);
  if (!command.hostControlEnabled) {
    throw new DomainError('bad_request', 'the host has not enabled remote shells: its launcher never polled /api/v1/shells', [
      { name: 'host_id', reason: 'the host has not enabled remote shells' },
    ]);
  }
  const { kind: _kind, hostControlEnabled: _enabled, ...requested } = command;
  return [{ type: SHELL_SESSION_REQUESTED, data: requested }];
}

const refusedSecret = () => new DomainError('unauthorized', 'the session secret is not valid for this session');

/** A secret works once, for its session and its host, until it expires. Every refusal looks alike. */
function decideJoinAsLauncher(command: JoinAsLauncher, state: ShellSessionState): ShellSessionEvent[] {
  const session = state.session;
  if (session === null || state.status !== 'requested' || state.launcherJoined) throw refusedSecret();
  if (session.host_id !== command.host_id || session.secret_hash !== command.secret_hash) throw refusedSecret();
  if (Date.parse(command.now) >= Date.parse(session.secret_expires_at)) throw refusedSecret();
  return [{ type: SHELL_LAUNCHER_JOINED, data: { session_id: session.session_id, host_id: session.host_id } }];
}

/** Only the operator who requested the session joins it, once, while it is not closed. */
function decideJoinAsOperator(command: JoinAsOperator, state: ShellSessionState): ShellSessionEvent[] {
  const session = state.session;
  if (session === null) throw new DomainError('not_found', 'shell session was not found');
  if (session.operator.id !== command.operator.id) throw new DomainError('forbidden', 'the shell session belongs to another operator');
  if (state.status === 'closed') throw new DomainError('conflict', 'the shell session is closed');
  if (state.operatorJoined) throw new DomainError('conflict', 'the operator has already joined this shell session');
  return [{ type: SHELL_OPERATOR_JOINED, data: { session_id: session.session_id, operator: command.operator } }];
}

/** Closing is idempotent: a session closes once, and later closes (the other side leaving) add nothing. */
function decideCloseShell(command: CloseShell, state: ShellSessionState): ShellSessionEvent[] {
  if (state.session === null || state.status === 'closed') return [];
  return [{ type: SHELL_SESSION_CLOSED, data: { session_id: state.session.session_id, ...command } }];
}

export const shellSessionDecider: Decider<ShellSessionCommand, ShellSessionState, ShellSessionEvent> = {
  initialState: { status: 'none', session: null, launcherJoined: false, operatorJoined: false },
  decide(command, state) {
    switch (command.kind) {
      case 'request':
        return decideRequestShell(command, state);
      case 'join-as-launcher':
        return decideJoinAsLauncher(command, state);
      case 'join-as-operator':
        return decideJoinAsOperator(command, state);
      case 'close': {
        const { kind: _kind, ...close } = command;
        return decideCloseShell(close, state);
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case SHELL_SESSION_REQUESTED:
        return { status: 'requested', session: event.data, launcherJoined: false, operatorJoined: false };
      case SHELL_LAUNCHER_JOINED:
        return { ...state, status: 'open', launcherJoined: true };
      case SHELL_OPERATOR_JOINED:
        return { ...state, operatorJoined: true };
      case SHELL_SESSION_CLOSED:
        return { ...state, status: 'closed' };
      default:
        return unexpectedEvent(event);
    }
  },
};
