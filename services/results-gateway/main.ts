/**
 * The results gateway as its own process: watchers connect on PORT (WebSocket, SockJS,
 * Socket.IO), plus /healthz and /metrics. Results come from Kafka (KAFKA_BROKERS); without it an
 * in-process bus is used, which only sees results produced in this same process (useful for
 * trying the gateway alone, not for a deployment). It follows the event log (EVENTSTORE_URL, or
 * the embedded one under DATA_DIR) only to close the sockets of sessions that log out.
 */
import { busLog } from '../../shared/observability/logger';
import { openEventStore, openReadStore, openResultsBus, startupRetryOf } from '../../shared/adapters/open-stores';
import { eventStoreCheck, resultsBusCheck } from '../../shared/http/dependency-checks';
import { Authenticator } from '../../shared/auth/authenticator';
import { followRevocations } from '../../shared/auth/revocation-feed';
import { createSocketGuards } from '../../shared/auth/socket-guards';
import { listen } from '../../shared/http/listen';
import { attachAccessLog } from '../../shared/http/access-log';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { registerBusLag } from '../../shared/observability/bus-lag-metric';
import { runMain } from '../../shared/service/run-main';
import { healthAndMetricsHandler } from './health-endpoints';
import { startResultsGateway } from './index';

runMain('results-gateway', async (config, logger) => {
  const gatewayConfig = config.gateway;
  const retry = startupRetryOf(config, logger);
  const readStore = await openReadStore(config, undefined, retry);
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
  const resultsBus = await openResultsBus(config, clientId, busLog(logger), undefined, retry);
  const metrics = createMetrics({ defaultLabels: { service: 'results-gateway' }, token: config.operations.metricsToken });
  registerBusLag(metrics, resultsBus);
  // Logouts come from the event log (every instance follows it), expiries from the sessions' times.
  const eventStore = await openEventStore(config, undefined, retry);
  const healthChecks = [
    resultsBusCheck(resultsBus),
    eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
    { name: 'read store', check: () => readStore.ping() },
  ];
  const authenticator = new Authenticator(readModels);
  const guards = createSocketGuards(config.sockets);
  const revocations = await followRevocations({ eventStore, liveSockets: guards.live, authenticator, logger });
  const http = await listen(healthAndMetricsHandler(metrics, healthChecks), config.port, config.host);
  if (config.operations.accessLog) attachAccessLog(http.server, logger);
  const gateway = await startResultsGateway({ gatewayConfig, readModels, resultsBus, authenticator, guards, logger, metrics, server: http.server });
  logger.info({ port: http.port }, 'results gateway listening');
  return {
    async stop() {
      clearInterval(refresh);
      await revocations.close();
      guards.live.close();
      await gateway.close();
      await http.close();
      await resultsBus.close();
      await readStore.close();
      await eventStore.close();
    },
  };
});
