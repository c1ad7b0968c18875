/**
 * Events of a user's stream (`user-<email>`): the user and their sessions. Persisted: never
 * change them.
 */
import type { GlobalRole } from './roles';

export const USER_CREATED = 'UserCreated';
export interface UserCreated {
  id: number;
  email: string;
  name: string;
  global_role: GlobalRole;
  password_hash: string;
}

export const USER_LOGGED_IN = 'UserLoggedIn';
export interface UserLoggedIn {
  user_id: number;
  /** SHA-256 of the bearer token, hex; the token itself is never stored. */
  token_hash: string;
  expires_at: string;
}

export const USER_LOGGED_OUT = 'UserLoggedOut';
export interface UserLoggedOut {
  user_id: number;
  token_hash: string;
}

/**
 * Logins to this user's account were refused for a while: too many failed in a row (see
 * shared/auth/login-throttle.ts). Recorded for the activity feed; the lockout itself is enforced
 * by the API process that counted the failures.
 */
export const USER_LOGIN_LOCKED_OUT = 'UserLoginLockedOut';
export interface UserLoginLockedOut {
  user_id: number;
  email: string;
  /** ISO-8601 time the lockout ends. */
  until: string;
  /** Why, in words, such as "5 failed logins within 300 s". */
  reason: string;
  /** The client address (or IPv6 /64 network) of the failure that began the lockout. */
  address: string;
}

/** An admin changed this user's global role (Fleet's `changed_user_global_role`). */
export const USER_GLOBAL_ROLE_CHANGED = 'UserGlobalRoleChanged';
export interface UserGlobalRoleChanged {
  user_id: number;
  email: string;
  name: string;
  global_role: GlobalRole;
  previous_role: GlobalRole;
  /** The user's sessions active then: their sockets end, to reconnect under the new role. */
  token_hashes: string[];
}

/** This user was renamed (PATCH /users/{id} with `name`). */
export const USER_RENAMED = 'UserRenamed';
export interface UserRenamed {
  user_id: number;
  name: string;
}

/**
 * An admin deleted this user (Fleet's `deleted_user`): every session they had ends with it
 * (`token_hashes`, the sessions active when deleted). The email may be given to a new user later.
 */
export const USER_DELETED = 'UserDeleted';
export interface UserDeleted {
  user_id: number;
  email: string;
  name: string;
  token_hashes: string[];
}

/**
 * On the admin guard's stream (ADMIN_GUARD_STREAM): these admins stop being admins (demoted or
 * deleted) in the same append, and others remain. Only a write-side guard: not projected.
 */
export const GLOBAL_ADMINS_REMOVED = 'GlobalAdminsRemoved';
export interface GlobalAdminsRemoved {
  user_ids: number[];
  remaining_admin_ids: number[];
}

export type UserEvent =
  | { type: typeof USER_CREATED; data: UserCreated }
  | { type: typeof USER_LOGGED_IN; data: UserLoggedIn }
  | { type: typeof USER_LOGGED_OUT; data: UserLoggedOut }
  | { type: typeof USER_LOGIN_LOCKED_OUT; data: UserLoginLockedOut }
  | { type: typeof USER_GLOBAL_ROLE_CHANGED; data: UserGlobalRoleChanged }
  | { type: typeof USER_RENAMED; data: UserRenamed }
  | { type: typeof USER_DELETED; data: UserDeleted };

export type AdminGuardEvent = { type: typeof GLOBAL_ADMINS_REMOVED; data: GlobalAdminsRemoved };

export const USER_EVENT_TYPES = [
  USER_CREATED,
  USER_LOGGED_IN,
  USER_LOGGED_OUT,
  USER_LOGIN_LOCKED_OUT,
  USER_GLOBAL_ROLE_CHANGED,
  USER_RENAMED,
  USER_DELETED,
  GLOBAL_ADMINS_REMOVED,
] as const;

export function isUserEventType(type: string): type is UserEvent['type'] {
  return (USER_EVENT_TYPES as readonly string[]).includes(type);
}
