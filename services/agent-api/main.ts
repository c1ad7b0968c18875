/** The agent API as its own service: the osquery TLS API for hosts, with /healthz and /metrics. */
import { busLog } from '../../shared/observability/logger';
import express from 'express';
import { openResultsBus, openStores, startupRetryOf } from '../../shared/adapters/open-stores';
import { eventStoreCheck, resultsBusCheck } from '../../shared/http/dependency-checks';
import { fleetNotFound } from '../../shared/http/fleet-errors';
import { healthzHandler, livezHandler } from '../../shared/http/health';
import { listen } from '../../shared/http/listen';
import { attachAccessLog } from '../../shared/http/access-log';
import { createMetrics } from '../../shared/observability/metrics';
import { runMain } from '../../shared/service/run-main';
import { whenFirstHealthy } from '../../shared/observability/startup-phases';
import { startAgentApi } from './index';

runMain('agent-api', async (config, logger) => {
  const retry = startupRetryOf(config, logger);
  const { eventStore, readStore, storageHealth } = await openStores(config, retry);
  const resultsBus = await openResultsBus(config, 'logbook-agent-api', busLog(logger), storageHealth, retry);
  const metrics = createMetrics({ defaultLabels: { service: 'agent-api' }, token: config.operations.metricsToken });
  const agent = await startAgentApi({ config, eventStore, readStore, resultsBus, logger, metrics, storageHealth });
  const app = express();
  app.get(
    '/healthz',
    healthzHandler([
      { name: 'storage', check: () => storageHealth.problem() },
      eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
      resultsBusCheck(resultsBus),
      { name: 'agent API', check: () => agent.problem() },
      { name: 'read store', check: () => readStore.ping() },
    ]),
  );
  app.get('/livez', livezHandler());
  app.get('/metrics', metrics.metricsHandler);
  app.use(fleetNotFound);
  const http = await listen(
    (req, res) => {
      if (!agent.handle(req, res)) app(req, res);
    },
    config.port,
    config.host,
  );
  if (config.operations.accessLog) attachAccessLog(http.server, logger);
  logger.info({ port: http.port }, 'agent API listening');
  // Once it serves (the merge reads every host's stored presence in one step; see startAgentApi).
  void whenFirstHealthy().then(() => agent.mergeStoredPresence());
  return {
    async stop() {
      await http.close();
      await agent.close();
      await resultsBus.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
