/**
 * One user: read, modify (name, global role), delete; and fleetctl's `user_roles` spec. Admins
 * act on anyone; every user reads and renames themselves. Whoever's role changes or who is
 * deleted is dropped from the session cache once the change is projected, so their next request
 * is authorized with the new role (or refused, 401).
 */
import { Router, type Response } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { currentUser } from '../../../shared/auth/authenticator';
import { forbidden, invalid } from '../../../shared/domain/errors';
import { canChangeUserRoles, canDeleteUsers, canManageUsers, canUseOwnAccount, type GlobalRole } from '../../../shared/domain/users/roles';
import { modifyUserBody, userIdParam as idParam, userRolesSpecBody } from '../../../shared/schemas/user-schemas';
import { validate, validateParameters } from '../../../shared/schemas/validate';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { applyUserRoles, deleteUser, loadUserDoc, modifyUser } from '../commands/user-admin';
import { renderUser } from '../rendering';

interface ModifyUserBody {
  name?: string;
  email?: string;
  global_role?: GlobalRole;
}

/** The addressed user's id, once the signed-in user may act on them: themselves, or anyone as admin. */
function targetUser(res: Response, raw: string, reason: string): number {
  const id = validateParameters<number>(idParam, raw, 'id');
  const user = authorize(res, canUseOwnAccount, reason);
  if (user.id !== id && !canManageUsers(user.global_role)) throw forbidden(reason);
  return id;
}

export function userAdminRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/users/:id', async (req, res) => {
    const id = targetUser(res, req.params.id, 'only admins can read other users');
    res.json({ user: renderUser(await loadUserDoc(deps.readModels, id)), available_teams: [] });
  });

  router.patch('/users/:id', async (req, res) => {
    const id = targetUser(res, req.params.id, 'only admins can modify other users');
    const body = validate<ModifyUserBody>(modifyUserBody, req.body);
    if (body.global_role !== undefined && !canChangeUserRoles(currentUser(res).global_role)) throw forbidden('only admins can change global roles');
    const before = await loadUserDoc(deps.readModels, id);
    if (body.email !== undefined && body.email.trim().toLowerCase() !== before.email) throw invalid('email', "changing a user's email is not supported");
    const position = await modifyUser(deps, id, { name: body.name, global_role: body.global_role }, userCommandContext(req, res));
    await awaitReadModels(deps, position);
    deps.authenticator.forgetUser(id);
    res.json({ user: renderUser(await loadUserDoc(deps.readModels, id)) });
  });

  router.delete('/users/:id', async (req, res) => {
    const id = validateParameters<number>(idParam, req.params.id, 'id');
    authorize(res, canDeleteUsers, 'only admins can delete users');
    const position = await deleteUser(deps, id, userCommandContext(req, res));
    await awaitReadModels(deps, position);
    deps.authenticator.forgetUser(id);
    res.json({});
  });

  // fleetctl apply of `kind: user_roles`: every named user's global role, all or nothing.
  router.post('/users/roles/spec', async (req, res) => {
    authorize(res, canChangeUserRoles, 'only admins can change global roles');
    const { spec } = validate<{ spec: { roles: Record<string, { global_role: GlobalRole }> } }>(userRolesSpecBody, req.body);
    const roles = new Map(Object.entries(spec.roles).map(([email, { global_role }]) => [email.trim().toLowerCase(), global_role] as const));
    const position = await applyUserRoles(deps, roles, userCommandContext(req, res));
    await awaitReadModels(deps, position);
    deps.authenticator.forgetUsers((user) => roles.has(user.email));
    res.json({});
  });

  return router;
}
