/**
 * Logbook in one process: the operator API, the projector and the osquery agent API over the
 * same stores (embedded by default, so no server is needed), on one HTTP port. This composition
 * root is the one place that starts several services' entry points (their index modules)
 * together.
 */
import { openResultsBus, openStores } from '../../shared/adapters/open-stores';
import { listen } from '../../shared/http/listen';
import { createMetrics } from '../../shared/observability/metrics';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { startAgentApi } from '../agent-api';
import { createApiService } from '../api';
import { Projector } from '../projector';

runMain('logbook', async (config, logger) => {
  const { eventStore, readStore, description } = await openStores(config);
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
    if (projector.error) return `projector stopped: ${projector.error.message}`;
    if (!ready) return 'read models catching up';
    const agentProblem = agent.problem();
    if (agentProblem) return agentProblem;
    return readStore.ping().then(() => null, (error: Error) => `read store: ${error.message}`);
  };
  const app = await createApiService({ config, eventStore, readModels, logger, metrics, notReadyReason });
  const http = await listen(
    (req, res) => {
      if (!agent.handle(req, res)) app(req, res);
    },
    config.port,
    config.host,
  );
  logger.info({ port: http.port }, 'operator API listening');
  return {
    async stop() {
      await http.close();
      await agent.close();
      await projector.stop();
      await resultsBus.close();
      await eventStore.close();
      await readStore.close();
    },
  };
});
