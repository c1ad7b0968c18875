/**
 * Applies a batch of events to one generation of read models in one unit of work (one bulk write
 * per collection). When that fails, no other event of the batch is lost for the poison one: the
 * events are applied again one at a time, each in its own unit of work, and an event that fails
 * on its own while the read store still answers is handed to `onPoison` (the projector
 * quarantines it) and skipped. Applying the batch's first events again is safe: every projection
 * handler is idempotent.
 *
 * When the read store does not answer, or refuses writes (a full disk), the event's error is
 * thrown instead: an outage is nobody's poison, and quarantining every event during one would
 * lose them all from the read models.
 */
import type { RecordedEvent } from '../../shared/ports/event-store';
import { isStorageUnavailable } from '../../shared/ports/storage-unavailable';
import type { ReadModels } from '../../shared/read-models/read-models';
import { projectEvent } from './projections';
import { UnitOfWork } from './unit-of-work';

export type PoisonHandler = (event: RecordedEvent, error: unknown) => Promise<void>;

async function applyTogether(readModels: ReadModels, generation: number, events: RecordedEvent[]): Promise<void> {
  const uow = new UnitOfWork(readModels, generation);
  for (const event of events) await projectEvent(uow, event);
  await uow.commit();
}

async function storeAnswers(readModels: ReadModels): Promise<boolean> {
  return readModels.store.ping().then(
    () => true,
    () => false,
  );
}

/**
 * Hands a failed event to `onPoison`, unless the store is down or refuses writes (a full disk:
 * StorageUnavailableError); then the error is thrown, and the projector retries the batch later.
 */
async function setAside(readModels: ReadModels, event: RecordedEvent, error: unknown, onPoison: PoisonHandler): Promise<void> {
  if (isStorageUnavailable(error) || !(await storeAnswers(readModels))) throw error;
  await onPoison(event, error);
}

export async function applyEvents(readModels: ReadModels, generation: number, events: RecordedEvent[], onPoison: PoisonHandler): Promise<void> {
  try {
    await applyTogether(readModels, generation, events);
    return;
  } catch (error) {
    // Storage that refuses writes refuses them one at a time too: the whole batch waits.
    if (isStorageUnavailable(error)) throw error;
    // A batch of one has already failed on its own.
    if (events.length === 1) return setAside(readModels, events[0], error, onPoison);
  }
  for (const event of events) {
    try {
      await applyTogether(readModels, generation, [event]);
    } catch (error) {
      await setAside(readModels, event, error, onPoison);
    }
  }
}
