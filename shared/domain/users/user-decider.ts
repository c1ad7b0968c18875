/** A user: one stream per (lower-cased) email, so an email can belong to one user only. */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError, notFound } from '../errors';
import type { GlobalRole } from './roles';
import { USER_CREATED, USER_DELETED, USER_GLOBAL_ROLE_CHANGED, USER_LOGGED_IN, USER_LOGGED_OUT, USER_LOGIN_LOCKED_OUT, USER_RENAMED, type UserEvent } from './user-events';

export function userStreamId(email: string): string {
  return `user-${email.trim().toLowerCase()}`;
}

export interface UserState {
  user: { id: number; email: string; name: string; global_role: GlobalRole; password_hash: string } | null;
  activeTokenHashes: string[];
  /** When the last recorded login lockout ends (ISO-8601), or null when none was recorded. */
  lockedOutUntil: string | null;
}

/** A session's token (by hash) and when it expires. */
export interface SessionToken {
  token_hash: string;
  expires_at: string;
}

export interface CreateUser {
  kind: 'create';
  id: number;
  email: string;
  name: string;
  global_role: GlobalRole;
  password_hash: string;
  /** Setup creates the first admin logged in at once: their first session. */
  session?: SessionToken;
}

export interface LogIn extends SessionToken {
  kind: 'log-in';
  /** Whether the password given matched the stored hash (checked before deciding: hashing is slow). */
  passwordMatches: boolean;
}

export interface LogOut {
  kind: 'log-out';
  token_hash: string;
}

/** Records a login lockout the throttle began (the throttle decides it; this records it once). */
export interface RecordLockout {
  kind: 'record-lockout';
  until: string;
  reason: string;
  address: string;
}

/**
 * An admin's change to a user (PATCH /users/{id}, POST /users/roles/spec): only what differs is
 * recorded. `user_id` is the id the caller addressed; a stream holding another id (the email was
 * deleted and given to a new user since) is refused as an unknown user.
 */
export interface ModifyUser {
  kind: 'modify';
  user_id: number | null;
  name?: string;
  global_role?: GlobalRole;
}

export interface DeleteUser {
  kind: 'delete';
  user_id: number;
}

export type UserCommand = CreateUser | LogIn | LogOut | RecordLockout | ModifyUser | DeleteUser;

const authenticationFailed = () => new DomainError('unauthorized', 'Authentication failed');

function decideCreateUser(command: CreateUser, state: UserState): UserEvent[] {
  if (state.user !== null) {
    throw new DomainError('conflict', `a user with email ${command.email} already exists`, [
      { name: 'email', reason: 'a user with this email already exists' },
    ]);
  }
  const { kind: _kind, session, ...user } = command;
  const created: UserEvent = { type: USER_CREATED, data: { ...user, email: user.email.trim().toLowerCase() } };
  if (session === undefined) return [created];
  return [created, { type: USER_LOGGED_IN, data: { user_id: user.id, token_hash: session.token_hash, expires_at: session.expires_at } }];
}

function decideLogIn(command: LogIn, state: UserState): UserEvent[] {
  if (state.user === null || !command.passwordMatches) throw authenticationFailed();
  return [{ type: USER_LOGGED_IN, data: { user_id: state.user.id, token_hash: command.token_hash, expires_at: command.expires_at } }];
}

/** Logging out an unknown or already ended session changes nothing. */
function decideLogOut(command: LogOut, state: UserState): UserEvent[] {
  if (state.user === null || !state.activeTokenHashes.includes(command.token_hash)) return [];
  return [{ type: USER_LOGGED_OUT, data: { user_id: state.user.id, token_hash: command.token_hash } }];
}

/**
 * A lockout is recorded for an existing user only: an email nobody has gets no stream, so an
 * attacker's made-up emails write nothing. A lockout ending no later than one already recorded
 * (a retried or repeated request) is not recorded again.
 */
function decideRecordLockout(command: RecordLockout, state: UserState): UserEvent[] {
  if (state.user === null) return [];
  if (state.lockedOutUntil !== null && Date.parse(command.until) <= Date.parse(state.lockedOutUntil)) return [];
  const { until, reason, address } = command;
  return [{ type: USER_LOGIN_LOCKED_OUT, data: { user_id: state.user.id, email: state.user.email, until, reason, address } }];
}

const unknownUser = (id: number | null) => notFound(id === null ? 'user' : `user ${id}`);

function existingUser(state: UserState, id: number | null): NonNullable<UserState['user']> {
  if (state.user === null || (id !== null && state.user.id !== id)) throw unknownUser(id);
  return state.user;
}

function decideModify(command: ModifyUser, state: UserState): UserEvent[] {
  const user = existingUser(state, command.user_id);
  const events: UserEvent[] = [];
  if (command.name !== undefined && command.name !== user.name) events.push({ type: USER_RENAMED, data: { user_id: user.id, name: command.name } });
  if (command.global_role !== undefined && command.global_role !== user.global_role) {
    const name = command.name ?? user.name;
    events.push({ type: USER_GLOBAL_ROLE_CHANGED, data: { user_id: user.id, email: user.email, name, global_role: command.global_role, previous_role: user.global_role, token_hashes: state.activeTokenHashes } });
  }
  return events;
}

function decideDelete(command: DeleteUser, state: UserState): UserEvent[] {
  const user = existingUser(state, command.user_id);
  return [{ type: USER_DELETED, data: { user_id: user.id, email: user.email, name: user.name, token_hashes: state.activeTokenHashes } }];
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: { user: null, activeTokenHashes: [], lockedOutUntil: null },
  decide(command, state) {
    switch (command.kind) {
      case 'create':
        return decideCreateUser(command, state);
      case 'log-in':
        return decideLogIn(command, state);
      case 'log-out':
        return decideLogOut(command, state);
      case 'record-lockout':
        return decideRecordLockout(command, state);
      case 'modify':
        return decideModify(command, state);
      case 'delete':
        return decideDelete(command, state);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case USER_CREATED: {
        const { id, email, name, global_role, password_hash } = event.data;
        return { user: { id, email, name, global_role, password_hash }, activeTokenHashes: [], lockedOutUntil: null };
      }
      case USER_LOGGED_IN:
        return { ...state, activeTokenHashes: [...state.activeTokenHashes, event.data.token_hash] };
      case USER_LOGGED_OUT:
        return { ...state, activeTokenHashes: state.activeTokenHashes.filter((hash) => hash !== event.data.token_hash) };
      case USER_LOGIN_LOCKED_OUT:
        return { ...state, lockedOutUntil: event.data.until };
      case USER_RENAMED:
        return state.user ? { ...state, user: { ...state.user, name: event.data.name } } : state;
      case USER_GLOBAL_ROLE_CHANGED:
        return state.user ? { ...state, user: { ...state.user, global_role: event.data.global_role } } : state;
      case USER_DELETED:
        return { user: null, activeTokenHashes: [], lockedOutUntil: null };
      default:
        return unexpectedEvent(event);
    }
  },
};
