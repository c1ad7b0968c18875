/** `npm run rebuild-projections`: rebuilds the read models from the whole log, with progress. */
import { openStores } from '../../shared/adapters/open-stores';
import { ReadModels } from '../../shared/read-models/read-models';
import { runMain } from '../../shared/service/run-main';
import { rebuildReadModels } from './rebuild';

runMain('rebuild-projections', async (config, logger) => {
  const { eventStore, readStore } = await openStores(config);
  const readModels = new ReadModels(readStore);
  let lastReport = 0;
  const result = await rebuildReadModels(eventStore, readModels, (progress) => {
    if (Date.now() - lastReport < 1_000) return;
    lastReport = Date.now();
    const rate = Math.round(progress.events / Math.max(progress.elapsedMs / 1000, 0.001));
    process.stderr.write(`rebuilding generation ${progress.generation}: ${progress.events} events (${rate}/s)\n`);
  });
  const rate = Math.round(result.events / Math.max(result.elapsedMs / 1000, 0.001));
  process.stderr.write(`rebuilt ${result.events} events into generation ${result.generation} in ${result.elapsedMs} ms (${rate}/s); generation ${result.previousGeneration} dropped\n`);
  if (result.quarantined > 0) process.stderr.write(`${result.quarantined} events could not be applied and are quarantined (collection g${result.generation}_projector_quarantine)\n`);
  logger.info({ ...result }, 'rebuild finished');
  await eventStore.close();
  await readStore.close();
  process.exit(0);
});
