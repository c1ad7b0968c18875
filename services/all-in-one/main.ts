/**
 * Logbook in one process: the operator API and the projector over the same stores (embedded by
 * default, so no server is needed). This composition root is the one place that starts several
 * services' entry points (their index modules) together.
 */
import { openStores } from '../../shared/adapters/open-stores';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { startApiService } from '../api';
import { Projector } from '../projector';

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
  const http = await startApiService({ config, eventStore, readModels, logger, metrics, notReadyReason });
  return {
    async stop() {
      await http.close();
      await projector.stop();
      await eventStore.close();
      await readStore.close();
    },
  };
});
