/** The operator API as its own service; a projector service builds the read models it serves. */
import { busLog } from '../../shared/observability/logger';
import { openResultsBus, openStores, startupRetryOf } from '../../shared/adapters/open-stores';
import { eventStoreCheck, resultsBusCheck } from '../../shared/http/dependency-checks';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { attachAccessLog } from '../../shared/http/access-log';
import { runMain } from '../../shared/service/run-main';
import { consoleRoutes } from '../console';
import { startApiService } from './index';

runMain('api', async (config, logger) => {
  const retry = startupRetryOf(config, logger);
  const { eventStore, readStore, storageHealth } = await openStores(config, retry);
  const readModels = new ReadModels(readStore);
  await readModels.init();
  const refresh = setInterval(() => void readModels.refreshGeneration().catch(() => {}), 1_000);
  refresh.unref();
  const metrics = createMetrics({ defaultLabels: { service: 'api' }, token: config.operations.metricsToken });
  const resultsBus = await openResultsBus(config, 'logbook-api', busLog(logger), storageHealth, retry);
  const http = await startApiService({
    config,
    eventStore,
    readModels,
    logger,
    metrics,
    healthChecks: [
      { name: 'storage', check: () => storageHealth.problem() },
      eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
      resultsBusCheck(resultsBus),
      { name: 'read store', check: () => readStore.ping() },
    ],
    resultsBus,
    // The operator console is served by the API (the compose proxy sends `/` and `/console` here).
    extensions: { publicRoutes: [consoleRoutes()] },
  });
  if (config.operations.accessLog) attachAccessLog(http.server, logger);
  return {
    async stop() {
      clearInterval(refresh);
      await http.close();
      await resultsBus.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
