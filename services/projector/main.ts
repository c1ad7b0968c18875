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

runMain('projector', async (config, logger) => {
  const { eventStore, readStore, storageHealth } = await openStores(config, startupRetryOf(config, logger));
  const readModels = new ReadModels(readStore);
  const metrics = createMetrics({ defaultLabels: { service: 'projector' }, token: config.operations.metricsToken });
  const projector = new Projector(eventStore, readModels, logger, { metrics });
  registerProjectorLag(metrics, eventStore, readModels);
  await projector.start();
  let ready = false;
  void projector.ready.then(() => (ready = true));
  const app = express();
  app.get('/healthz', healthzHandler([
    { name: 'storage', check: () => storageHealth.problem() },
    eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
    { name: 'projector', check: () => projector.error?.message ?? (ready ? null : 'catching up') },
    // Quarantined events leave the projector running: degraded, not down.
    { name: 'projector quarantine', check: () => projector.health(), degrades: true },
  ]));
  app.get('/livez', livezHandler());
  app.get('/metrics', metrics.metricsHandler);
  const http = await listen(app, config.port, config.host);
  if (config.operations.accessLog) attachAccessLog(http.server, logger);
  return {
    async stop() {
      await http.close();
      await projector.stop();
      await eventStore.close();
      await readStore.close();
    },
  };
});
