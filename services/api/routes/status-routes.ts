/**
 * Fleet's status checks: 200 with an empty body when the part works, else an error status with
 * Fleet's error JSON.
 */
import { Router } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { DomainError } from '../../../shared/domain/errors';
import { canCheckServiceStatus } from '../../../shared/domain/users/roles';
import type { ApiDeps } from '../api-deps';

const MAY_NOT_CHECK = 'your role may not check the services';

async function check(what: string, probe: () => Promise<void>): Promise<void> {
  try {
    await probe();
  } catch (error) {
    throw new DomainError('unavailable', `${what} is not working`, [{ name: 'base', reason: `${what}: ${(error as Error).message}` }]);
  }
}

export function statusRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/status/live_query', async (_req, res) => {
    authorize(res, canCheckServiceStatus, MAY_NOT_CHECK);
    const bus = deps.resultsBus;
    await check('the live query bus', async () => {
      if (!bus) throw new Error('this API instance has no results bus configured');
      await bus.ping();
    });
    res.status(200).end();
  });
  router.get('/status/result_store', async (_req, res) => {
    authorize(res, canCheckServiceStatus, MAY_NOT_CHECK);
    await check('the result store', () => deps.readModels.store.ping());
    res.status(200).end();
  });
  return router;
}
