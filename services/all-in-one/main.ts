/**
 * Logbook in one process: the operator API, the projector, the osquery agent API, the results
 * gateway and the shell broker over the same stores and results bus (embedded by default, so no server is needed), on one HTTP
 * server: plain HTTP on PORT (unless PLAIN_HTTP=false) and HTTPS on TLS_PORT (unless off), both
 * serving the very same handlers (shared/http/listen.ts).
 * This composition root is the one place that starts several services' entry points (their index
 * modules) together.
 */
import '../../shared/observability/startup-entered';
import { busLog } from '../../shared/observability/logger';
import { startupPhase, whenFirstHealthy } from '../../shared/observability/startup-phases';
import { openResultsBus, openStores, startupRetryOf } from '../../shared/adapters/open-stores';
import { eventStoreCheck, resultsBusCheck } from '../../shared/http/dependency-checks';
import { Authenticator } from '../../shared/auth/authenticator';
import { followRevocations } from '../../shared/auth/revocation-feed';
import { createSocketGuards } from '../../shared/auth/socket-guards';
import type { HealthCheck } from '../../shared/http/health';
import { attachAccessLog } from '../../shared/http/access-log';
import { createHttpServer, listenPlain, listenTls, type Listening } from '../../shared/http/listen';
import { loadServerIdentity } from '../../shared/tls/server-identity';
import { createMetrics } from '../../shared/observability/metrics';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { startAgentApi } from '../agent-api';
import { createApiService } from '../api';
import { Projector } from '../projector';
import { registerProjectorLag } from '../projector/projector-metrics';
import { registerBusLag } from '../../shared/observability/bus-lag-metric';
import { startResultsGateway } from '../results-gateway';
import { consoleRoutes } from '../console';
import { createShellBroker } from '../shell-broker';

runMain('logbook', async (config, logger) => {
  const retry = startupRetryOf(config, logger);
  const { eventStore, readStore, storageHealth, description } = await openStores(config, retry);
  startupPhase('stores open');
  const resultsBus = await openResultsBus(config, 'logbook', busLog(logger), storageHealth, retry);
  startupPhase('results bus open');
  logger.info({ stores: description, dataDir: config.dataDir, bus: config.kafkaBrokers ? 'kafka' : 'in-process' }, 'stores open');
  const readModels = new ReadModels(readStore);
  const metrics = createMetrics({ defaultLabels: { service: 'all-in-one' }, token: config.operations.metricsToken });
  const projector = new Projector(eventStore, readModels, logger.child({ component: 'projector' }), { metrics });
  registerProjectorLag(metrics, eventStore, readModels);
  registerBusLag(metrics, resultsBus);
  await projector.start();
  startupPhase('projector subscribed');
  let ready = false;
  void projector.ready.then(() => {
    ready = true;
    startupPhase('projector caught up');
  });
  const agent = await startAgentApi({ config, eventStore, readStore, resultsBus, logger: logger.child({ component: 'agent-api' }), metrics, storageHealth });
  const healthChecks: HealthCheck[] = [
    // First: a full disk also explains a projector that waits.
    { name: 'storage', check: () => storageHealth.problem() },
    eventStoreCheck(eventStore, config.operations.resultsBusTimeoutMs),
    resultsBusCheck(resultsBus),
    { name: 'projector', check: () => (projector.error ? `projector stopped: ${projector.error.message}` : ready ? null : 'read models catching up') },
    { name: 'agent API', check: () => agent.problem() },
    { name: 'read store', check: () => readStore.ping() },
    // Quarantined events leave the projector running: degraded (200), not down.
    { name: 'projector quarantine', check: () => projector.health(), degrades: true },
  ];
  const authenticator = new Authenticator(readModels);
  // One set of socket bounds for the gateway's and the shell broker's sockets: one cap, one registry.
  const guards = createSocketGuards(config.sockets);
  startupPhase('agent API ready');
  const revocations = await followRevocations({ eventStore, liveSockets: guards.live, authenticator, logger });
  startupPhase('revocations followed');
  const shellHosts: ShellHosts = {
    hostForNodeKey: async (nodeKey) => agent.hosts.byNodeKey(nodeKey),
    hostById: async (id) => agent.hosts.byId(id),
  };
  const shells = createShellBroker({ config, eventStore, readModels, hosts: shellHosts, authenticator, guards, logger: logger.child({ component: 'shell-broker' }) });
  // The certificate first: the API serves its chain, and a bad TLS_CERT stops the start early.
  const identity = config.tls.port === null ? null : await loadServerIdentity({ ...config.tls, dataDir: config.dataDir });
  startupPhase('TLS identity loaded');
  if (identity) logger.info({ source: identity.source, caFile: identity.caFile, issued: identity.issued }, 'TLS certificate ready');
  let secure: Listening | null = null;
  const api = await createApiService({
    config,
    eventStore,
    readModels,
    logger,
    metrics,
    healthChecks,
    authenticator,
    resultsBus,
    extensions: { publicRoutes: [...shells.publicRoutes, consoleRoutes()], fleetRoutes: shells.fleetRoutes },
    serverTls: identity ? { chainPem: identity.chainPem, port: () => secure?.port ?? null } : undefined,
  });
  startupPhase('operator API created');
  const server = createHttpServer((req, res) => {
    if (!agent.handle(req, res) && !shells.frontHandler(req, res)) api.app(req, res);
  });
  shells.attach(server);
  if (config.operations.accessLog) attachAccessLog(server, logger.child({ component: 'access' }));
  const gateway = await startResultsGateway({
    gatewayConfig: config.gateway,
    readModels,
    resultsBus,
    authenticator,
    guards,
    logger: logger.child({ component: 'results-gateway' }),
    metrics,
    server,
  });
  startupPhase('results gateway started');
  // Every handler and upgrade route is attached before either listener opens.
  const plain = config.plainHttp ? await listenPlain(server, config.port, config.host) : null;
  secure = identity && config.tls.port !== null ? await listenTls(server, identity, config.tls.port, config.host) : null;
  startupPhase('listening');
  // Once it serves (the merge reads every host's stored presence in one step; see startAgentApi).
  void whenFirstHealthy().then(() => agent.mergeStoredPresence());
  logger.info({ port: plain?.port ?? null, tlsPort: secure?.port ?? null, caFile: identity?.caFile ?? null }, 'operator API listening');
  return {
    async stop() {
      await revocations.close();
      guards.live.close();
      await gateway.close();
      await api.stop();
      await shells.close();
      await secure?.close();
      await plain?.close();
      await agent.close();
      await projector.stop();
      await resultsBus.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
