/**
 * Rebuilds the read models from position zero into a fresh generation of collections, then swaps
 * it in by moving the generation pointer and drops the old generation. A live projector (in this
 * or another process) notices the swap before its next batch and carries on in the new
 * generation from the rebuild's checkpoint.
 */
import type { EventStore } from '../../shared/ports/event-store';
import { START } from '../../shared/ports/event-store';
import type { ReadModels } from '../../shared/read-models/read-models';
import { projectEvent } from './projections';
import { UnitOfWork } from './unit-of-work';

const PAGE_SIZE = 5_000;

export interface RebuildProgress {
  generation: number;
  events: number;
  position: number;
  elapsedMs: number;
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
  for (;;) {
    const page = await store.readAll(position, PAGE_SIZE);
    if (page.length === 0) break;
    const uow = new UnitOfWork(readModels, target);
    for (const event of page) await projectEvent(uow, event);
    await uow.commit();
    position = page[page.length - 1].position;
    events += page.length;
    await readModels.saveCheckpoint(target, position);
    onProgress({ generation: target, events, position, elapsedMs: Date.now() - started });
  }
  await readModels.swapGeneration(target);
  await readModels.dropGeneration(previousGeneration);
  return { generation: target, events, position, elapsedMs: Date.now() - started, previousGeneration };
}
