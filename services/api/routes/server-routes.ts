/** Fleet's GET /version: which server this is (see version-info.ts for the fields). */
import { Router } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { canReadServerVersion } from '../../../shared/domain/users/roles';
import { versionInfo } from '../version-info';

export function serverRoutes(): Router {
  const router = Router();
  router.get('/version', (_req, res) => {
    authorize(res, canReadServerVersion, 'your role may not read the server version');
    res.json(versionInfo());
  });
  return router;
}
