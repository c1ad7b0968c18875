/**
 * The shell broker as its own service, on its own HTTP server: the launcher's poll
 * (`POST /api/v1/shells`), the operator's shell routes under /api/v1/fleet (authenticated with
 * the operator's token, as on the API), the browser console at /console/, the two shell
 * WebSockets, /healthz and /metrics. It knows enrolled hosts by following the event log into an
 * agent view of its own (node key hashes and ids; no presence, no campaigns).
 *
 * With KAFKA_BROKERS set, brokers pair a session's two sides through the shell relay on Kafka
 * (shared/adapters/shell-relay/bus-shell-relay.ts), so the proxy may send any shell request to
 * any broker. Without Kafka a broker is alone: run one (see README.md, "Shell brokers").
 */
import express from 'express';
import { openResultsBus, openStores, startupRetryOf } from '../../shared/adapters/open-stores';
import { busLog } from '../../shared/observability/logger';
import { openBusShellRelay } from '../../shared/adapters/shell-relay/bus-shell-relay';
import { Authenticator } from '../../shared/auth/authenticator';
import { followRevocations } from '../../shared/auth/revocation-feed';
import { createSocketGuards } from '../../shared/auth/socket-guards';
import { fleetErrorHandler, fleetNotFound } from '../../shared/http/fleet-errors';
import { healthzHandler } from '../../shared/http/health';
import { createHttpServer, listenPlain } from '../../shared/http/listen';
import { createMetrics } from '../../shared/observability/metrics';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { AgentView } from '../agent-api/agent-view';
import { tokenHash } from '../../shared/auth/tokens';
import { retryStartup } from '../../shared/service/startup-retry';
import { createShellBroker } from './index';

runMain('shell-broker', async (config, logger) => {
  const retry = startupRetryOf(config, logger);
  const { eventStore, readStore } = await openStores(config, retry);
  const readModels = new ReadModels(readStore);
  await readModels.init();
  const refresh = setInterval(() => void readModels.refreshGeneration().catch(() => {}), 1_000);
  refresh.unref();
  const view = new AgentView();
  let failure: Error | null = null;
  await view.follow(eventStore, (error) => {
    failure = error;
    logger.error({ err: error }, 'shell broker stopped following the event log');
  });
  const summary = (record: ReturnType<AgentView['hostById']>) => {
    if (!record || record.state.id === null) return null;
    const hostname = record.state.facts.hostname ?? record.state.hostIdentifier ?? '';
    return { id: record.state.id, hostname, display_name: record.state.facts.computer_name || hostname };
  };
  const hosts: ShellHosts = {
    hostForNodeKey: async (nodeKey) => summary(view.hostByNodeKeyHash(tokenHash(nodeKey))),
    hostById: async (id) => summary(view.hostById(id)),
  };
  const metrics = createMetrics({ defaultLabels: { service: 'shell-broker' } });
  const authenticator = new Authenticator(readModels);
  const guards = createSocketGuards(config.sockets);
  const revocations = await followRevocations({ eventStore, liveSockets: guards.live, authenticator, logger });
  const shells = createShellBroker({ config, eventStore, readModels, hosts, authenticator, guards, logger });
  const bus = config.kafkaBrokers ? await openResultsBus(config, 'logbook-shell-broker', busLog(logger), undefined, retry) : null;
  const relay = bus
    ? await shells.connectRelay((handlers) =>
        // A topic other services are creating at the same moment can refuse the first tries.
        retryStartup({ what: 'Kafka (the shell relay topic)', variable: 'KAFKA_BROKERS', pointsAt: config.kafkaBrokers!.join(',') }, () => openBusShellRelay(bus, handlers, { onError: (error) => logger.warn({ err: error }, 'shell relay') }), retry),
      )
    : null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(metrics.httpMiddleware);
  app.get(
    '/healthz',
    healthzHandler([
      { name: 'shell broker', check: () => (failure ? `shell broker: ${(failure as Error).message}` : null) },
      { name: 'read store', check: () => readStore.ping() },
      ...(bus ? [{ name: 'results bus', check: () => bus.ping() }] : []),
    ]),
  );
  app.get('/metrics', metrics.metricsHandler);
  for (const routes of shells.publicRoutes) app.use(routes);
  const fleet = express.Router();
  fleet.use(authenticator.requireUser());
  for (const routes of shells.fleetRoutes) fleet.use(routes);
  app.use('/api/v1/fleet', fleet);
  app.use(fleetNotFound);
  app.use(fleetErrorHandler(logger));

  const server = createHttpServer((req, res) => {
    if (!shells.frontHandler(req, res)) app(req, res);
  });
  shells.attach(server);
  const http = await listenPlain(server, config.port, config.host);
  logger.info({ port: http.port, hosts: view.hostCount, relay: relay ? `kafka, broker ${relay.brokerId}` : 'none (alone)' }, 'shell broker listening');
  return {
    async stop() {
      clearInterval(refresh);
      await revocations.close();
      guards.live.close();
      await shells.close();
      await relay?.close();
      await bus?.close();
      await http.close();
      await view.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
