/** The projector as its own service: builds the read models, serves /healthz and /metrics. */
import express from 'express';
import { openStores } from '../../shared/adapters/open-stores';
import { listen } from '../../shared/http/listen';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { Projector } from './projector';

runMain('projector', async (config, logger) => {
  const { eventStore, readStore } = await openStores(config);
  const readModels = new ReadModels(readStore);
  const metrics = createMetrics({ defaultLabels: { service: 'projector' } });
  const projector = new Projector(eventStore, readModels, logger, { metrics });
  await projector.start();
  let ready = false;
  void projector.ready.then(() => (ready = true));
  const app = express();
  app.get('/healthz', (_req, res) => {
    const degraded = projector.health();
    if (projector.error) res.status(503).json({ status: 'unavailable', reason: projector.error.message });
    else if (!ready) res.status(503).json({ status: 'unavailable', reason: 'catching up' });
    // Quarantined events leave the projector running: degraded, 200 (see services/api/app.ts).
    else if (degraded !== null) res.json({ status: 'degraded', reason: degraded });
    else res.json({ status: 'ok' });
  });
  app.get('/metrics', metrics.metricsHandler);
  const http = await listen(app, config.port, config.host);
  return {
    async stop() {
      await http.close();
      await projector.stop();
      await eventStore.close();
      await readStore.close();
    },
  };
});
