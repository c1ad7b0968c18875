/** The api service's public surface: what its main and the all-in-one process start. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Router } from 'express';
import { Authenticator } from '../../shared/auth/authenticator';
import type { Config } from '../../shared/config/config';
import { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import type { HealthCheck } from '../../shared/http/health';
import { listen, type Listening } from '../../shared/http/listen';
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import type { EventStore } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { ApiDeps, ServerTlsInfo } from './api-deps';
import { createApiApp } from './app';
import { startCampaignSweeper } from './campaign-lifecycle';
import { seedWhenWritable } from './seed-when-writable';

export interface ApiServiceOptions {
  config: Config;
  eventStore: EventStore;
  readModels: ReadModels;
  logger: Logger;
  metrics: Metrics;
  /** What /healthz checks (see shared/http/health.ts). */
  healthChecks: readonly HealthCheck[];
  extensions?: ApiExtensions;
  resultsBus?: ResultsBus;
  /** Shared with other services in the same process, so a logout here reaches them at once. */
  authenticator?: Authenticator;
  /** The TLS listener's certificate chain and port, where this process serves HTTPS itself. */
  serverTls?: ServerTlsInfo;
}

/** What other services add to the same HTTP server (the all-in-one process wires them). */
export interface ApiExtensions {
  /** Serves host-facing requests before Express; returns false for a request it does not serve. */
  frontHandler?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Mounted before authentication. */
  publicRoutes?: Router[];
  /** Mounted under /api/v1/fleet after authentication. */
  fleetRoutes?: Router[];
}

export interface ApiService {
  /** The operator API's Express app, not yet listening (the all-in-one process mounts it). */
  app: Express;
  /** Stops the API's background work (the campaign sweeper). */
  stop(): Promise<void>;
}

export async function createApiService(options: ApiServiceOptions): Promise<ApiService> {
  const deps: ApiDeps = {
    store: options.eventStore,
    loader: new AggregateLoader(options.eventStore),
    readModels: options.readModels,
    authenticator: options.authenticator ?? new Authenticator(options.readModels),
    config: options.config,
    logger: options.logger,
    resultsBus: options.resultsBus,
    serverTls: options.serverTls,
  };
  const seeding = await seedWhenWritable(deps);
  const extensions = options.extensions ?? {};
  const app = createApiApp(deps, {
    metrics: options.metrics,
    healthChecks: options.healthChecks,
    publicRoutes: extensions.publicRoutes,
    fleetRoutes: extensions.fleetRoutes,
  });
  const sweeper = startCampaignSweeper(deps);
  return {
    app,
    async stop() {
      await seeding.stop();
      await sweeper.stop();
    },
  };
}

export async function startApiService(options: ApiServiceOptions): Promise<Listening> {
  const { app, stop } = await createApiService(options);
  const front = options.extensions?.frontHandler;
  const handler = front ? (req: IncomingMessage, res: ServerResponse) => void (front(req, res) || app(req, res)) : app;
  const listening = await listen(handler, options.config.port, options.config.host);
  options.logger.info({ port: listening.port }, 'operator API listening');
  return {
    ...listening,
    async close() {
      await stop();
      await listening.close();
    },
  };
}
