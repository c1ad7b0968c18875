/**
 * The operator's shell routes under /api/v1/fleet (after authentication), admins only:
 * - `POST /hosts/:id/shells` → `{"session_id", "status"}`;
 * - `GET /shells` → `{"shells": [...]}`, newest first: host, operator, times, bytes each way, close reason;
 * - `GET /shells/hosts` → `{"hosts": [...]}`, the hosts whose launcher enabled remote shells.
 */
import { Router } from 'express';
import type { Authenticator } from '../../shared/auth/authenticator';
import { authorize } from '../../shared/auth/authorize';
import { notFound } from '../../shared/domain/errors';
import { canOpenRemoteShells, canSeeShellSessions } from '../../shared/domain/users/roles';
import type { Logger } from '../../shared/observability/logger';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import { SHELL_HOSTS, SHELL_SESSIONS, type ShellHostDoc, type ShellSessionDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { ShellBroker } from './shell-broker';

export interface OperatorRoutesDeps {
  broker: ShellBroker;
  hosts: ShellHosts;
  readModels: ReadModels;
  authenticator: Authenticator;
  readYourWritesTimeoutMs: number;
  logger: Logger;
}

const ADMINS_ONLY = 'only admins may open remote shells';

export function operatorShellRoutes(deps: OperatorRoutesDeps): Router {
  const router = Router();

  router.post('/hosts/:id/shells', async (req, res) => {
    const user = authorize(res, canOpenRemoteShells, ADMINS_ONLY);
    const id = /^\d{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : null;
    const host = id === null ? null : await deps.hosts.hostById(id);
    if (!host) throw notFound('host');
    const { sessionId, position } = await deps.broker.requestShell(host, { id: user.id, email: user.email, name: user.name });
    if (position !== null && !(await deps.readModels.waitForPosition(position, deps.readYourWritesTimeoutMs))) {
      deps.logger.warn({ position }, 'read models did not catch up with a shell request in time');
    }
    res.json({ session_id: sessionId, status: 'requested' });
  });

  router.get('/shells', async (_req, res) => {
    authorize(res, canSeeShellSessions, ADMINS_ONLY);
    const shells = await deps.readModels.collection<ShellSessionDoc>(SHELL_SESSIONS).find({ sort: { field: 'requested_at', direction: 'desc' }, limit: 1_000 });
    res.json({ shells });
  });

  router.get('/shells/hosts', async (_req, res) => {
    authorize(res, canSeeShellSessions, ADMINS_ONLY);
    const hosts = await deps.readModels.collection<ShellHostDoc>(SHELL_HOSTS).find({ sort: { field: 'host_id', direction: 'asc' } });
    res.json({ hosts: hosts.map((host) => ({ ...host, last_poll_at: deps.broker.lastPollOf(host.host_id) })) });
  });

  return router;
}
