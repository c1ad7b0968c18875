/**
 * The read models' schema version: what shape of documents, counters and indexes the projection
 * code builds. A store whose read models were built by another version (or before versions were
 * recorded) is rebuilt from the event log on start, before the projector subscribes, with its
 * progress in the log; nothing is lost, since the log is the source of every read model (the
 * rebuild fills a fresh generation and swaps it in, see rebuild.ts). A store with nothing
 * projected yet only records the version.
 *
 * Bump READ_MODEL_VERSION whenever a projection changes what it writes for past events.
 */
import { START, type EventStore } from '../../shared/ports/event-store';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { ProjectorLogger } from './projector';
import { rebuildReadModels } from './rebuild';

/** 2: host counters, host search terms, host display_name and the hosts indexes (issue 13). */
export const READ_MODEL_VERSION = 2;

const VERSION_COLLECTION = 'read_model_version';
const VERSION_KEY = 'version';
const PROGRESS_EVERY_MS = 2_000;

interface VersionDoc {
  version: number;
}

export async function ensureReadModelVersion(store: EventStore, readModels: ReadModels, logger: ProjectorLogger): Promise<void> {
  const versions = readModels.store.collection<VersionDoc>(VERSION_COLLECTION);
  const stored = (await versions.get(VERSION_KEY))?.version ?? null;
  if (stored === READ_MODEL_VERSION) return;
  if ((await readModels.checkpoint()) === START) {
    await versions.put(VERSION_KEY, { version: READ_MODEL_VERSION });
    return;
  }
  logger.info({ from: stored, to: READ_MODEL_VERSION }, 'read models were built by another version: rebuilding them from the event log');
  let reported = Date.now();
  const result = await rebuildReadModels(store, readModels, (progress) => {
    if (Date.now() - reported < PROGRESS_EVERY_MS) return;
    reported = Date.now();
    logger.info({ ...progress }, 'rebuilding read models');
  });
  await versions.put(VERSION_KEY, { version: READ_MODEL_VERSION });
  logger.info({ ...result, version: READ_MODEL_VERSION }, 'read models rebuilt');
}
