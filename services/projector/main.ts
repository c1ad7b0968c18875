/** The projector as its own service: builds the read models, serves /healthz and /metrics. */
import express from 'express';
import { openStores, startupRetryOf } from '../../shared/adapters/open-stores';
import { eventStoreCheck } from '../../shared/http/dependency-checks';
import { healthzHandler, livezHandler } from '../../shared/http/health';
import { listen } from '../../shared/http/listen';
import { attachAccessLog } from '../../shared/http/access-log';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { Projector } from './projector';
import { registerProjectorLag } from './projector-metrics';
import { ProjectorLease } from './projector-lease';

runMain('projector', async (config, logger) => {
  const { eventStore, readStore, storageHealth } = await openStores(config, startupRetryOf(config, logger));
  const readModels = new ReadModels(readStore);
  const metrics = createMetrics({ defaultLabels: { service: 'projector' }, token: config.operations.metricsToken });
  // One projects, any other stands by (projector-lease.ts); a standby is healthy.
  const lease = new ProjectorLease(readStore);
  let projector: Projector | null = null;
  registerProjectorLag(metrics, eventStore, readModels);
  let ready = false;
  lease.start({
    onAcquired: () => {
      logger.info({ lease: lease.id }, 'projector lease held: projecting');
      const started = new Projector(eventStore, readModels, logger, { metrics });
      projector = started;
      void started.start().then(() => started.ready.then(() => (ready = true)), (error: Error) => logger.error({ err: error }, 'projector did not start'));
    },
    onLost: () => {
      // Stop projecting at once: stop cleanly, and the restart (compose: unless-stopped) stands by.
      logger.warn({ lease: lease.id }, 'projector lease taken by another instance: stopping');
      process.kill(process.pid, 'SIGTERM');
    },
    onError: (error) => logger.warn({ err: error }, 'could not renew the projector lease; will retry'),
  });
  const app = express();
  app.get('/healthz', healthzHandler([
    { name: 'storage', check: () => storageHealth.problem() },
    eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
    { name: 'projector', check: () => (projector === null ? null : projector.error?.message ?? (ready ? null : 'catching up')) },
    // Quarantined events leave the projector running: degraded, not down.
    { name: 'projector quarantine', check: () => projector?.health() ?? null, degrades: true },
  ]));
  app.get('/livez', livezHandler());
  app.get('/metrics', metrics.metricsHandler);
  const http = await listen(app, config.port, config.host);
  if (config.operations.accessLog) attachAccessLog(http.server, logger);
  return {
    async stop() {
      lease.stop();
      await http.close();
      await projector?.stop();
      await eventStore.close();
      await readStore.close();
    },
  };
});
