/**
 * The results gateway as its own process: watchers connect on PORT (WebSocket, SockJS,
 * Socket.IO), plus /healthz and /metrics. Results come from Kafka (KAFKA_BROKERS); without it an
 * in-process bus is used, which only sees results produced in this same process (useful for
 * trying the gateway alone, not for a deployment).
 */
import { busLog } from '../../shared/observability/logger';
import { openReadStore, openResultsBus } from '../../shared/adapters/open-stores';
import { listen } from '../../shared/http/listen';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { healthAndMetricsHandler } from './health-endpoints';
import { startResultsGateway } from './index';

runMain('results-gateway', async (config, logger) => {
  const gatewayConfig = config.gateway;
  const readStore = await openReadStore(config);
  const readModels = new ReadModels(readStore);
  await readModels.init();
  const refresh = setInterval(() => void readModels.refreshGeneration().catch(() => {}), 1_000);
  refresh.unref();
  if (!config.kafkaBrokers) {
    logger.warn('KAFKA_BROKERS is not set: using an in-process results bus, which sees no other process’s results');
  }
  // Kafka's client id is this instance's; the in-process bus journals under DATA_DIR by client id,
  // so it gets a fixed one (a random id would leave a new journal behind at every start).
  const clientId = config.kafkaBrokers ? gatewayConfig.instanceId : 'logbook-results-gateway';
  const resultsBus = await openResultsBus(config, clientId, busLog(logger));
  const metrics = createMetrics({ defaultLabels: { service: 'results-gateway' } });
  const healthChecks = [
    { name: 'read store', check: () => readStore.ping() },
    { name: 'results bus', check: () => resultsBus.ping() },
  ];
  const http = await listen(healthAndMetricsHandler(metrics, healthChecks), config.port, config.host);
  const gateway = await startResultsGateway({ gatewayConfig, readModels, resultsBus, logger, metrics, server: http.server });
  logger.info({ port: http.port }, 'results gateway listening');
  return {
    async stop() {
      clearInterval(refresh);
      await gateway.close();
      await http.close();
      await resultsBus.close();
      await readStore.close();
    },
  };
});
