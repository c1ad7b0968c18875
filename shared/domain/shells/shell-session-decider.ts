/**
 * A remote shell session: one stream per session (`shell-<session id>`). An admin requests it on
 * a host that enabled the launcher's control feature; the host's launcher joins with the session's
 * one-time secret; the operator joins; the session closes once, with a reason and byte counts.
 *
 * The secret itself is never recorded: only its SHA-256 and when it expires.
 */
import { DomainError } from '../errors';

export const SHELL_SESSION_REQUESTED = 'ShellSessionRequested';
export const SHELL_LAUNCHER_JOINED = 'ShellLauncherJoined';
export const SHELL_OPERATOR_JOINED = 'ShellOperatorJoined';
export const SHELL_SESSION_CLOSED = 'ShellSessionClosed';

export function shellSessionStreamId(sessionId: string): string {
  return `shell-${sessionId}`;
}

export interface ShellOperator {
  id: number;
  email: string;
}

export interface ShellSessionRequested {
  session_id: string;
  host_id: number;
  hostname: string;
  operator: ShellOperator;
  secret_hash: string;
  secret_expires_at: string;
}

export interface ShellLauncherJoined {
  session_id: string;
  host_id: number;
}

export interface ShellOperatorJoined {
  session_id: string;
  operator: ShellOperator;
}

/** Why a session ended; `closed_by` says which side (or Logbook) ended it. */
export interface ShellSessionClosed {
  session_id: string;
  reason: string;
  closed_by: 'operator' | 'launcher' | 'logbook';
  bytes_to_launcher: number;
  bytes_from_launcher: number;
}

export type ShellSessionEvent =
  | { type: typeof SHELL_SESSION_REQUESTED; data: ShellSessionRequested }
  | { type: typeof SHELL_LAUNCHER_JOINED; data: ShellLauncherJoined }
  | { type: typeof SHELL_OPERATOR_JOINED; data: ShellOperatorJoined }
  | { type: typeof SHELL_SESSION_CLOSED; data: ShellSessionClosed };

export type ShellSessionStatus = 'none' | 'requested' | 'open' | 'closed';

export interface ShellSessionState {
  status: ShellSessionStatus;
  session: ShellSessionRequested | null;
  launcherJoined: boolean;
  operatorJoined: boolean;
}

export const initialShellSessionState: ShellSessionState = { status: 'none', session: null, launcherJoined: false, operatorJoined: false };

export function evolveShellSession(state: ShellSessionState, event: ShellSessionEvent): ShellSessionState {
  switch (event.type) {
    case SHELL_SESSION_REQUESTED:
      return { status: 'requested', session: event.data, launcherJoined: false, operatorJoined: false };
    case SHELL_LAUNCHER_JOINED:
      return { ...state, status: 'open', launcherJoined: true };
    case SHELL_OPERATOR_JOINED:
      return { ...state, operatorJoined: true };
    case SHELL_SESSION_CLOSED:
      return { ...state, status: 'closed' };
  }
}

export interface RequestShell extends ShellSessionRequested {
  /** Whether the host's launcher has enabled the control feature (polled /api/v1/shells). */
  hostControlEnabled: boolean;
}

export function decideRequestShell(command: RequestShell, state: ShellSessionState): ShellSessionEvent[] {
  if (state.status !== 'none') throw new DomainError('conflict', `shell session ${command.session_id} already exists`);
  if (!command.hostControlEnabled) {
    throw new DomainError('bad_request', 'the host has not enabled remote shells: its launcher never polled /api/v1/shells', [
      { name: 'host_id', reason: 'the host has not enabled remote shells' },
    ]);
  }
  const { hostControlEnabled: _enabled, ...requested } = command;
  return [{ type: SHELL_SESSION_REQUESTED, data: requested }];
}

export interface JoinAsLauncher {
  host_id: number;
  secret_hash: string;
  now: string;
}

const refusedSecret = () => new DomainError('unauthorized', 'the session secret is not valid for this session');

/** A secret works once, for its session and its host, until it expires. Every refusal looks alike. */
export function decideJoinAsLauncher(command: JoinAsLauncher, state: ShellSessionState): ShellSessionEvent[] {
  const session = state.session;
  if (session === null || state.status !== 'requested' || state.launcherJoined) throw refusedSecret();
  if (session.host_id !== command.host_id || session.secret_hash !== command.secret_hash) throw refusedSecret();
  if (Date.parse(command.now) >= Date.parse(session.secret_expires_at)) throw refusedSecret();
  return [{ type: SHELL_LAUNCHER_JOINED, data: { session_id: session.session_id, host_id: session.host_id } }];
}

export interface JoinAsOperator {
  operator: ShellOperator;
}

/** Only the operator who requested the session joins it, once, while it is not closed. */
export function decideJoinAsOperator(command: JoinAsOperator, state: ShellSessionState): ShellSessionEvent[] {
  const session = state.session;
  if (session === null) throw new DomainError('not_found', 'shell session was not found');
  if (session.operator.id !== command.operator.id) throw new DomainError('forbidden', 'the shell session belongs to another operator');
  if (state.status === 'closed') throw new DomainError('conflict', 'the shell session is closed');
  if (state.operatorJoined) throw new DomainError('conflict', 'the operator has already joined this shell session');
  return [{ type: SHELL_OPERATOR_JOINED, data: { session_id: session.session_id, operator: command.operator } }];
}

export type CloseShell = Omit<ShellSessionClosed, 'session_id'>;

/** Closing is idempotent: a session closes once, and later closes (the other side leaving) add nothing. */
export function decideCloseShell(command: CloseShell, state: ShellSessionState): ShellSessionEvent[] {
  if (state.session === null || state.status === 'closed') return [];
  return [{ type: SHELL_SESSION_CLOSED, data: { session_id: state.session.session_id, ...command } }];
}
