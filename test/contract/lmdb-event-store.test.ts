import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { START, type EventStore, type RecordedEvent } from '../../shared/ports/event-store';
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

describe('lmdb event store: subscribers served from the latest commits in memory', function () {
  this.timeout(60_000);
  const metadata = { actor: { type: 'system' as const, id: 'test' }, occurredAt: '2024-05-01T12:00:00.000Z', correlationId: 'c', causationId: null };

  it('delivers, to a subscriber that keeps up, exactly what the log holds, with failing appends among the commits', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'logbook-lmdb-recent-'));
    let store = await openLmdbEventStore(directory);
    try {
      const live: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ after: START, onEvent: (event) => void live.push(event) });
      // Bursts of concurrent appends share commits; every third one expects a wrong revision and stores nothing.
      for (let burst = 0; burst < 40; burst++) {
        await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            store.append([{ streamId: `s-${i % 4}`, expected: i % 3 === 2 ? 10_000 : 'any', events: [{ type: 'Tick', data: { burst, i }, metadata }, { type: 'Tock', data: { burst, i }, metadata }] }]),
          ),
        );
      }
      const head = await store.headPosition();
      while (live.length === 0 || live[live.length - 1].position < head) await new Promise((resolve) => setTimeout(resolve, 5));
      await subscription.close();
      await store.close();
      // Opened again: nothing in memory, every page read from the log.
      store = await openLmdbEventStore(directory);
      const logged = await store.readAll(START, 100_000);
      assert.equal(logged.length, 40 * 8 * 2);
      assert.deepEqual(live, logged);
    } finally {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
