/** Setup, login, logout and users, as Fleet's clients call them. */
import { Router } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { LoginThrottle } from '../../../shared/auth/login-throttle';
import { notFound } from '../../../shared/domain/errors';
import { canManageUsers, canUseOwnAccount, type GlobalRole } from '../../../shared/domain/users/roles';
import { commandContext } from '../../../shared/eventsourcing/metadata';
import { clientAddress, networkKey, trustedProxies } from '../../../shared/http/client-address';
import { USERS, type UserDoc } from '../../../shared/read-models/read-model-types';
import { createUserBody, loginBody, setupBody } from '../../../shared/schemas/user-schemas';
import { validate } from '../../../shared/schemas/validate';
import { awaitReadModels, correlationId, userCommandContext, type ApiDeps } from '../api-deps';
import { createUser, logIn, logOut, setUp } from '../commands/users';
import { renderUser } from '../rendering';

interface NewUserBody {
  name: string;
  email: string;
  password: string;
  global_role: GlobalRole;
}

async function loadUser(deps: ApiDeps, id: number): Promise<UserDoc> {
  const user = await deps.readModels.collection<UserDoc>(USERS).get(String(id));
  if (!user) throw notFound(`user ${id}`);
  return user;
}

/** Routes that need no token: first-run setup and login. */
export function publicUserRoutes(deps: ApiDeps): Router {
  const router = Router();

  // Fleet's GET /setup: whether first-run setup is still to be done (no user exists yet).
  router.get('/api/v1/setup', async (_req, res) => {
    res.json({ require_setup: (await deps.readModels.collection<UserDoc>(USERS).count()) === 0 });
  });

  router.post('/api/v1/setup', async (req, res) => {
    const body = validate<{ admin: NewUserBody; org_info: { org_name: string }; server_url: string }>(setupBody, req.body);
    const admin = { ...body.admin, global_role: 'admin' as const };
    const actor = { type: 'user' as const, id: '1', email: admin.email.toLowerCase(), name: admin.name };
    const session = await setUp(deps, { admin, orgName: body.org_info.org_name, serverUrl: body.server_url }, deps.config.sessionTtlHours, commandContext(actor, correlationId(req, res)));
    await awaitReadModels(deps, session.position);
    res.json({
      admin: renderUser(await loadUser(deps, session.userId)),
      org_info: { org_name: body.org_info.org_name },
      server_url: body.server_url,
      token: session.token,
    });
  });

  // One throttle per process (see shared/auth/login-throttle.ts): its budgets are in memory.
  const loginDeps = { ...deps, throttle: new LoginThrottle(deps.config.loginThrottle) };
  const proxies = trustedProxies(deps.config.trustedProxies);

  router.post('/api/v1/fleet/login', async (req, res) => {
    const body = validate<{ email: string; password: string }>(loginBody, req.body);
    const email = body.email.trim().toLowerCase();
    const address = networkKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxies));
    const actor = { type: 'user' as const, id: 'anonymous', email };
    const attempt = { email, password: body.password, address };
    const session = await logIn(loginDeps, attempt, deps.config.sessionTtlHours, commandContext(actor, correlationId(req, res)));
    await awaitReadModels(deps, session.position);
    res.json({ user: renderUser(await loadUser(deps, session.userId)), available_teams: [], token: session.token });
  });

  return router;
}

/** Routes under /api/v1/fleet that need a token. */
export function userRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.post('/logout', async (req, res) => {
    const user = authorize(res, canUseOwnAccount, 'your role may not end its session');
    const result = await logOut(deps, user.email, user.token, userCommandContext(req, res));
    deps.authenticator.forget(user.token);
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  router.get('/me', (_req, res) => {
    const { token: _token, ...user } = authorize(res, canUseOwnAccount, 'your role may not read its account');
    res.json({ user: renderUser(user), available_teams: [] });
  });

  router.get('/users', async (_req, res) => {
    authorize(res, canManageUsers, 'only admins can list users');
    const users = await deps.readModels.collection<UserDoc>(USERS).find({ sort: { field: 'id', direction: 'asc' } });
    res.json({ users: users.map(renderUser) });
  });

  router.post('/users/admin', async (req, res) => {
    authorize(res, canManageUsers, 'only admins can create users');
    const body = validate<NewUserBody>(createUserBody, req.body);
    const created = await createUser(deps, body, userCommandContext(req, res));
    await awaitReadModels(deps, created.position);
    res.json({ user: renderUser(await loadUser(deps, created.id)) });
  });

  return router;
}

