/**
 * Rebuilds the read models from position zero into a fresh generation of collections, then swaps
 * it in by moving the generation pointer and drops the old generation. A live projector (in this
 * or another process) notices the swap before its next batch and carries on in the new
 * generation from the rebuild's checkpoint. Events that cannot be applied are quarantined in the
 * new generation, as the live projector does (see apply-events.ts).
 */
import type { EventStore } from '../../shared/ports/event-store';
import { START } from '../../shared/ports/event-store';
import type { ReadModels } from '../../shared/read-models/read-models';
import { applyEvents } from './apply-events';
import { Quarantine } from './quarantine';

const PAGE_SIZE = 5_000;

export interface RebuildProgress {
  generation: number;
  events: number;
  position: number;
  elapsedMs: number;
  /** Events set aside so far because they could not be applied. */
  quarantined: number;
}

export async function rebuildReadModels(
  store: EventStore,
  readModels: ReadModels,
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildProgress & { previousGeneration: number }> {
  const previousGeneration = await readModels.init();
  const target = Math.max(previousGeneration, ...(await readModels.generationsPresent())) + 1;
  await readModels.dropGeneration(target);
  const started = Date.now();
  let position = START;
  let events = 0;
  const quarantine = new Quarantine(readModels);
  for (;;) {
    const page = await store.readAll(position, PAGE_SIZE);
    if (page.length === 0) break;
    await applyEvents(readModels, target, page, async (event, error) => void (await quarantine.record(target, event, error)));
    position = page[page.length - 1].position;
    events += page.length;
    await readModels.saveCheckpoint(target, position);
    onProgress({ generation: target, events, position, elapsedMs: Date.now() - started, quarantined: quarantine.summary().count });
  }
  await readModels.swapGeneration(target);
  await readModels.dropGeneration(previousGeneration);
  return { generation: target, events, position, elapsedMs: Date.now() - started, quarantined: quarantine.summary().count, previousGeneration };
}
