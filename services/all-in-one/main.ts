/**
 * Logbook in one process: the operator API, the projector and the shell broker over the same
 * stores (embedded by default, so no server is needed). This composition root is the one place
 * that starts several services' entry points (their index modules) together.
 */
import { openStores } from '../../shared/adapters/open-stores';
import { InMemoryShellHosts } from '../../shared/adapters/shell-hosts/in-memory-shell-hosts';
import { Authenticator } from '../../shared/auth/authenticator';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { startApiService } from '../api';
import { Projector } from '../projector';
import { createShellBroker } from '../shell-broker';
import { standInEnrollmentHandler } from './stand-in-enrollment';

runMain('logbook', async (config, logger) => {
  const { eventStore, readStore, description } = await openStores(config);
  logger.info({ stores: description, dataDir: config.dataDir }, 'stores open');
  const readModels = new ReadModels(readStore);
  const projector = new Projector(eventStore, readModels, logger.child({ component: 'projector' }));
  await projector.start();
  let ready = false;
  void projector.ready.then(() => (ready = true));
  const metrics = createMetrics({ defaultLabels: { service: 'all-in-one' } });
  const notReadyReason = async () => {
    if (projector.error) return `projector stopped: ${projector.error.message}`;
    if (!ready) return 'read models catching up';
    return readStore.ping().then(() => null, (error: Error) => `read store: ${error.message}`);
  };
  const authenticator = new Authenticator(readModels);
  // HOSTS WIRING (the one place): the shell broker's ShellHosts is the in-memory stand-in, fed by
  // the stand-in enrollment below, until the agent API's enrollment and hosts read model land.
  const shellHosts = new InMemoryShellHosts();
  const enrollment = standInEnrollmentHandler(shellHosts, readModels);
  const shells = createShellBroker({ config, eventStore, readModels, hosts: shellHosts, authenticator, logger: logger.child({ component: 'shell-broker' }) });
  const http = await startApiService({
    config,
    eventStore,
    readModels,
    logger,
    metrics,
    notReadyReason,
    authenticator,
    extensions: {
      frontHandler: (req, res) => shells.frontHandler(req, res) || enrollment(req, res),
      publicRoutes: shells.publicRoutes,
      fleetRoutes: shells.fleetRoutes,
    },
  });
  shells.attach(http.server);
  return {
    async stop() {
      await shells.close();
      await http.close();
      await projector.stop();
      await eventStore.close();
      await readStore.close();
    },
  };
});
