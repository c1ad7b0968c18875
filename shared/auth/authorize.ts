/**
 * Route-side use of the access rules (shared/domain/users/roles.ts): the signed-in user, once the
 * named rule allows their role; otherwise a 403 in Fleet's shape with the given reason.
 */
import type { Response } from 'express';
import { forbidden } from '../domain/errors';
import type { GlobalRole } from '../domain/users/roles';
import { currentUser, type AuthenticatedUser } from './authenticator';

/** An access rule that reads only the role (see roles.ts). */
export type RoleRule = (role: GlobalRole) => boolean;

export function authorize(res: Response, rule: RoleRule, reason: string): AuthenticatedUser {
  const user = currentUser(res);
  if (!rule(user.global_role)) throw forbidden(reason);
  return user;
}
