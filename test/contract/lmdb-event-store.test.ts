import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import type { EventStore } from '../../shared/ports/event-store';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('lmdb', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'logbook-lmdb-events-'));
  let current: EventStore = await openLmdbEventStore(directory);
  return {
    store: current,
    reopen: async () => (current = await openLmdbEventStore(directory)),
    cleanup: async () => {
      await current.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
});
