/**
 * The operator routes as the code declares them, so the matrix can be checked for completeness:
 * each router app.ts mounts under /api/v1/fleet (and the shell broker's), built over a stub (the
 * handlers are never called) and read off Express's route stack. `appRouteCount` counts every
 * route createApiApp ends up with, so a router mounted in app.ts but missing here shows too.
 */
import { loadConfig } from '../../shared/config/config';
import type { Router } from 'express';
import { createApiApp } from '../../services/api/app';
import type { ApiDeps } from '../../services/api/api-deps';
import { activityRoutes } from '../../services/api/routes/activity-routes';
import { campaignRoutes } from '../../services/api/routes/campaign-routes';
import { configRoutes } from '../../services/api/routes/config-routes';
import { hostRoutes } from '../../services/api/routes/host-routes';
import { idDeletionRoutes } from '../../services/api/routes/id-deletion-routes';
import { specDeletionRoutes } from '../../services/api/routes/spec-deletion-routes';
import { specRoutes } from '../../services/api/routes/spec-routes';
import { serverRoutes } from '../../services/api/routes/server-routes';
import { statusRoutes } from '../../services/api/routes/status-routes';
import { tlsRoutes } from '../../services/api/routes/tls-routes';
import { targetRoutes } from '../../services/api/routes/target-routes';
import { teamRoutes } from '../../services/api/routes/team-routes';
import { userAdminRoutes } from '../../services/api/routes/user-admin-routes';
import { publicUserRoutes, userRoutes } from '../../services/api/routes/user-routes';
import { operatorShellRoutes, type OperatorRoutesDeps } from '../../services/shell-broker/operator-routes';

/** Anything, any depth: what the routers read while being built. */
const stub: any = new Proxy(function stubbed() {}, { get: () => stub, apply: () => stub });
/** The stub, but with the numbers createApiApp hands to Express as they are. */
const config = { ...loadConfig({}), bodyLimitBytes: 1_048_576 };
const deps = new Proxy({ config } as object, { get: (target, key) => (key in target ? (target as Record<string | symbol, unknown>)[key] : stub) }) as ApiDeps;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function routesOf(router: Router, prefix: string): string[] {
  return (router.stack as Layer[]).flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${prefix}${layer.route!.path}`) : [],
  );
}

/** Every authenticated route (method and full path pattern), as app.ts mounts the routers. */
export function declaredFleetRoutes(): string[] {
  const fleet = '/api/v1/fleet';
  const mounted: Array<[string, Router]> = [
    [`${fleet}/spec`, specRoutes(deps)],
    [fleet, specDeletionRoutes(deps)],
    [fleet, idDeletionRoutes(deps)],
    [fleet, userRoutes(deps)],
    [fleet, userAdminRoutes(deps)],
    [fleet, activityRoutes(deps)],
    [fleet, hostRoutes(deps)],
    [fleet, teamRoutes(deps)],
    [fleet, campaignRoutes(deps)],
    [fleet, statusRoutes(deps)],
    [fleet, tlsRoutes(deps)],
    [fleet, targetRoutes(deps)],
    [fleet, serverRoutes()],
    [fleet, configRoutes(deps)],
    [fleet, operatorShellRoutes(stub as OperatorRoutesDeps)],
  ];
  return mounted.flatMap(([prefix, router]) => routesOf(router, prefix));
}

/** The routes served before authentication: setup, login, /healthz, /livez, /metrics (behind METRICS_TOKEN when set). */
export function publicRouteCount(): number {
  return routesOf(publicUserRoutes(deps), '').length + 3;
}

function countRoutes(stack: Layer[]): number {
  return stack.reduce((sum, layer) => sum + (layer.route ? Object.keys(layer.route.methods).length : Array.isArray(layer.handle?.stack) ? countRoutes(layer.handle!.stack!) : 0), 0);
}

/** How many routes createApiApp serves (with the shell broker's operator routes mounted, as all-in-one does). */
export function appRouteCount(): number {
  const app = createApiApp(deps, { metrics: stub, healthChecks: [], fleetRoutes: [operatorShellRoutes(stub as OperatorRoutesDeps)] });
  return countRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack);
}
