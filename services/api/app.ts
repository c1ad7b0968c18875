/** The operator API: Fleet's REST and spec routes on Express. */
import express, { Router, type Express } from 'express';
import { boundedJsonBody } from '../../shared/http/bounded-json-body';
import { fleetErrorHandler, fleetNotFound } from '../../shared/http/fleet-errors';
import { healthzHandler, livezHandler, type HealthCheck } from '../../shared/http/health';
import { requireJsonBodies } from '../../shared/http/json-only';
import { OPERATOR_BODY_BOUNDS } from '../../shared/http/json-bounds';
import type { Metrics } from '../../shared/observability/metrics';
import type { ApiDeps } from './api-deps';
import { activityRoutes } from './routes/activity-routes';
import { campaignRoutes } from './routes/campaign-routes';
import { configRoutes } from './routes/config-routes';
import { hostRoutes } from './routes/host-routes';
import { serverRoutes } from './routes/server-routes';
import { statusRoutes } from './routes/status-routes';
import { idDeletionRoutes } from './routes/id-deletion-routes';
import { specDeletionRoutes } from './routes/spec-deletion-routes';
import { targetRoutes } from './routes/target-routes';
import { teamRoutes } from './routes/team-routes';
import { specRoutes } from './routes/spec-routes';
import { tlsRoutes } from './routes/tls-routes';
import { userAdminRoutes } from './routes/user-admin-routes';
import { publicUserRoutes, userRoutes } from './routes/user-routes';

export interface ApiAppOptions {
  metrics: Metrics;
  /** What /healthz checks (see shared/http/health.ts): any failing one answers 503. */
  healthChecks: readonly HealthCheck[];
  /** Other services' routes mounted before authentication (pages, host-facing routes). */
  publicRoutes?: Router[];
  /** Other services' routes mounted under /api/v1/fleet, after authentication. */
  fleetRoutes?: Router[];
}

export function createApiApp(deps: ApiDeps, options: ApiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(options.metrics.httpMiddleware);

  app.get('/healthz', healthzHandler(options.healthChecks));
  app.get('/livez', livezHandler());
  app.get('/metrics', options.metrics.metricsHandler);

  app.use(requireJsonBodies);
  app.use(express.json({ limit: deps.config.bodyLimitBytes, type: 'application/json' }));
  // Every route below, ours and the other services' mounted here, gets a body within bounds.
  app.use(boundedJsonBody(OPERATOR_BODY_BOUNDS));
  app.use(publicUserRoutes(deps));
  for (const routes of options.publicRoutes ?? []) app.use(routes);

  const fleet = Router();
  fleet.use(deps.authenticator.requireUser());
  fleet.use('/spec', specRoutes(deps));
  fleet.use(specDeletionRoutes(deps));
  fleet.use(idDeletionRoutes(deps));
  fleet.use(userRoutes(deps));
  fleet.use(userAdminRoutes(deps));
  fleet.use(activityRoutes(deps));
  fleet.use(hostRoutes(deps));
  fleet.use(teamRoutes(deps));
  fleet.use(campaignRoutes(deps));
  fleet.use(statusRoutes(deps));
  fleet.use(tlsRoutes(deps));
  fleet.use(targetRoutes(deps));
  fleet.use(serverRoutes());
  fleet.use(configRoutes(deps));
  for (const routes of options.fleetRoutes ?? []) fleet.use(routes);
  app.use('/api/v1/fleet', fleet);

  app.use(fleetNotFound);
  app.use(fleetErrorHandler(deps.logger));
  return app;
}
