/** A user: one stream per (lower-cased) email, so an email can belong to one user only. */
import { DomainError } from '../errors';
import type { UserCreated, UserLoggedIn, UserLoggedOut } from '../events';
import type { GlobalRole } from './roles';

export function userStreamId(email: string): string {
  return `user-${email.trim().toLowerCase()}`;
}

export interface UserState {
  user: { id: number; email: string; name: string; global_role: GlobalRole; password_hash: string } | null;
  activeTokenHashes: string[];
}

export const initialUserState: UserState = { user: null, activeTokenHashes: [] };

export type UserEvent =
  | { type: 'UserCreated'; data: UserCreated }
  | { type: 'UserLoggedIn'; data: UserLoggedIn }
  | { type: 'UserLoggedOut'; data: UserLoggedOut };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated': {
      const { id, email, name, global_role, password_hash } = event.data;
      return { user: { id, email, name, global_role, password_hash }, activeTokenHashes: [] };
    }
    case 'UserLoggedIn':
      return { ...state, activeTokenHashes: [...state.activeTokenHashes, event.data.token_hash] };
    case 'UserLoggedOut':
      return { ...state, activeTokenHashes: state.activeTokenHashes.filter((hash) => hash !== event.data.token_hash) };
  }
}

export interface CreateUser {
  id: number;
  email: string;
  name: string;
  global_role: GlobalRole;
  password_hash: string;
}

export function decideCreateUser(command: CreateUser, state: UserState): UserEvent[] {
  if (state.user !== null) {
    throw new DomainError('conflict', `a user with email ${command.email} already exists`, [
      { name: 'email', reason: 'a user with this email already exists' },
    ]);
  }
  return [{ type: 'UserCreated', data: { ...command, email: command.email.trim().toLowerCase() } }];
}

export interface LogIn {
  /** Whether the password given matched the stored hash (checked before deciding: hashing is slow). */
  passwordMatches: boolean;
  token_hash: string;
  expires_at: string;
}

const authenticationFailed = () => new DomainError('unauthorized', 'Authentication failed');

export function decideLogIn(command: LogIn, state: UserState): UserEvent[] {
  if (state.user === null || !command.passwordMatches) throw authenticationFailed();
  return [{ type: 'UserLoggedIn', data: { user_id: state.user.id, token_hash: command.token_hash, expires_at: command.expires_at } }];
}

export function decideLogOut(command: { token_hash: string }, state: UserState): UserEvent[] {
  if (state.user === null || !state.activeTokenHashes.includes(command.token_hash)) return [];
  return [{ type: 'UserLoggedOut', data: { user_id: state.user.id, token_hash: command.token_hash } }];
}
