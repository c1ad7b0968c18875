/**
 * Logbook in one process: the operator API, the projector, the osquery agent API, the results
 * gateway and the shell broker over the same stores and results bus (embedded by default, so no server is needed), on one HTTP port.
 * This composition root is the one place that starts several services' entry points (their index
 * modules) together.
 */
import { openResultsBus, openStores } from '../../shared/adapters/open-stores';
import { Authenticator } from '../../shared/auth/authenticator';
import { listen } from '../../shared/http/listen';
import { createMetrics } from '../../shared/observability/metrics';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { startAgentApi } from '../agent-api';
import { createApiService } from '../api';
import { Projector } from '../projector';
import { loadGatewayConfig, startResultsGateway } from '../results-gateway';
import { createShellBroker } from '../shell-broker';

runMain('logbook', async (config, logger) => {
  const { eventStore, readStore, storageHealth, description } = await openStores(config);
  const resultsBus = await openResultsBus(config, 'logbook', (record) => logger.warn(record, 'kafka'));
  logger.info({ stores: description, dataDir: config.dataDir, bus: config.kafkaBrokers ? 'kafka' : 'in-process' }, 'stores open');
  const readModels = new ReadModels(readStore);
  const projector = new Projector(eventStore, readModels, logger.child({ component: 'projector' }));
  await projector.start();
  let ready = false;
  void projector.ready.then(() => (ready = true));
  const metrics = createMetrics({ defaultLabels: { service: 'all-in-one' } });
  const agent = await startAgentApi({ config, eventStore, readStore, resultsBus, logger: logger.child({ component: 'agent-api' }), metrics });
  const notReadyReason = async () => {
    const storageProblem = storageHealth.problem(); // first: it also explains a projector that waits
    if (storageProblem) return storageProblem;
    if (projector.error) return `projector stopped: ${projector.error.message}`;
    if (!ready) return 'read models catching up';
    const agentProblem = agent.problem();
    if (agentProblem) return agentProblem;
    return readStore.ping().then(() => null, (error: Error) => `read store: ${error.message}`);
  };
  const authenticator = new Authenticator(readModels);
  const shellHosts: ShellHosts = {
    hostForNodeKey: async (nodeKey) => agent.hosts.byNodeKey(nodeKey),
    hostById: async (id) => agent.hosts.byId(id),
  };
  const shells = createShellBroker({ config, eventStore, readModels, hosts: shellHosts, authenticator, logger: logger.child({ component: 'shell-broker' }) });
  const api = await createApiService({
    config,
    eventStore,
    readModels,
    logger,
    metrics,
    notReadyReason,
    authenticator,
    resultsBus,
    extensions: { publicRoutes: shells.publicRoutes, fleetRoutes: shells.fleetRoutes },
  });
  const http = await listen(
    (req, res) => {
      if (!agent.handle(req, res) && !shells.frontHandler(req, res)) api.app(req, res);
    },
    config.port,
    config.host,
  );
  shells.attach(http.server);
  const gateway = await startResultsGateway({
    gatewayConfig: loadGatewayConfig(process.env),
    readModels,
    resultsBus,
    authenticator,
    logger: logger.child({ component: 'results-gateway' }),
    metrics,
    server: http.server,
  });
  logger.info({ port: http.port }, 'operator API listening');
  return {
    async stop() {
      await gateway.close();
      await api.stop();
      await shells.close();
      await http.close();
      await agent.close();
      await projector.stop();
      await resultsBus.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
