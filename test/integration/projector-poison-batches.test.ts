/**
 * The projector with the embedded adapters, in process: an event that throws in a projection
 * (appended straight to the log) is quarantined without losing the other events of its batch;
 * a read store that stops answering stops the projector instead (an outage is not poison).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { USER_CREATED } from '../../shared/domain/users/user-events';
import { createMetrics } from '../../shared/observability/metrics';
import type { EventStore, NewEvent } from '../../shared/ports/event-store';
import type { CollectionOptions, ReadCollection, ReadStore } from '../../shared/ports/read-store';
import { USERS } from '../../shared/read-models/read-model-types';
import { ReadModels } from '../../shared/read-models/read-models';
import { applyEvents } from '../../services/projector/apply-events';
import { Projector } from '../../services/projector/projector';
import { StorageUnavailableError } from '../../shared/ports/storage-unavailable';
import { rebuildReadModels } from '../../services/projector/rebuild';
import { eventually } from '../support/eventually';

const metadata = () => ({ actor: { type: 'system' as const, id: 'test' }, occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null });
const userCreated = (id: number): NewEvent => ({ type: USER_CREATED, data: { id, name: `user ${id}`, email: `u${id}@example.com`, global_role: 'observer', password_hash: 'x' }, metadata: metadata() });
/** Throws in the user projection (it reads `data.id`). */
const poison = (): NewEvent => ({ type: USER_CREATED, data: null, metadata: metadata() });

async function append(store: EventStore, streamId: string, event: NewEvent): Promise<number> {
  return (await store.append([{ streamId, expected: 'any', events: [event] }])).position;
}

/** Users 1 and 2, the poison, users 3 and 4: returns the poison's position. */
async function appendUsersAroundPoison(store: EventStore): Promise<number> {
  await append(store, 'user-1', userCreated(1));
  await append(store, 'user-2', userCreated(2));
  const position = await append(store, 'user-poison', poison());
  await append(store, 'user-3', userCreated(3));
  await append(store, 'user-4', userCreated(4));
  return position;
}

async function userIds(readModels: ReadModels, generation?: number): Promise<number[]> {
  const users = await readModels.collection<{ id: number }>(USERS, generation).find();
  return users.map((user) => user.id).sort((a, b) => a - b);
}

function capturingLogger(): { lines: string[]; info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void } {
  const lines: string[] = [];
  return { lines, info: (_obj, msg) => void lines.push(msg), warn: (_obj, msg) => void lines.push(msg), error: (_obj, msg) => void lines.push(msg) };
}

/**
 * The read store, with a switch that makes it fail: 'unreachable' fails writes and pings (the
 * store went away); 'full' refuses writes as a full disk does (StorageUnavailableError) while
 * reads and pings still answer.
 */
function breakable(store: ReadStore): { store: ReadStore; break(how?: 'unreachable' | 'full'): void; mend(): void } {
  let broken: 'unreachable' | 'full' | null = null;
  const down = () =>
    Promise.reject(broken === 'full' ? new StorageUnavailableError('storage: no space left on device (ENOSPC)') : new Error('read store unreachable'));
  return {
    break: (how = 'unreachable') => void (broken = how),
    mend: () => void (broken = null),
    store: {
      collection: <T extends object>(name: string, options?: CollectionOptions): ReadCollection<T> => {
        const collection = store.collection<T>(name, options);
        return {
          get: (id) => collection.get(id),
          find: (options) => collection.find(options),
          findIds: (options) => collection.findIds(options),
          count: (where, range) => collection.count(where, range),
          explain: (query) => collection.explain(query),
          drop: () => collection.drop(),
          put: (id, doc) => (broken ? down() : collection.put(id, doc)),
          delete: (id) => (broken ? down() : collection.delete(id)),
          bulk: (operations) => (broken ? down() : collection.bulk(operations)),
        };
      },
      listCollections: () => store.listCollections(),
      ping: () => (broken === 'unreachable' ? down() : store.ping()),
      close: () => store.close(),
    },
  };
}

describe('projector poison events (embedded adapters, in process)', function () {
  this.timeout(30_000);
  let dir: string;
  let eventStore: EventStore;
  let readStore: ReadStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logbook-poison-'));
    eventStore = await openLmdbEventStore(join(dir, 'events'));
    readStore = await openLmdbReadStore(join(dir, 'read-models'));
  });
  afterEach(async () => {
    await eventStore.close();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a failing batch event by event, handing over only the event that fails alone', async () => {
    const poisonPosition = await appendUsersAroundPoison(eventStore);
    const readModels = new ReadModels(readStore);
    await readModels.init();
    const batch = await eventStore.readAll(-1, 100);
    assert.equal(batch.length, 5);
    const handedOver: Array<{ position: number; error: unknown }> = [];
    await applyEvents(readModels, 1, batch, async (event, error) => void handedOver.push({ position: event.position, error }));
    assert.deepEqual(handedOver.map((entry) => entry.position), [poisonPosition]);
    assert.ok(handedOver[0].error instanceof TypeError);
    assert.deepEqual(await userIds(readModels), [1, 2, 3, 4]);
  });

  it('quarantines the event, moves its checkpoint past it, reports degraded health and counts it; a restart keeps the record', async () => {
    const poisonPosition = await appendUsersAroundPoison(eventStore);
    const readModels = new ReadModels(readStore);
    const metrics = createMetrics();
    const logger = capturingLogger();
    const projector = new Projector(eventStore, readModels, logger, { metrics });
    await projector.start();
    await projector.ready;
    assert.equal(projector.error, null);
    assert.deepEqual(await userIds(readModels), [1, 2, 3, 4]);
    assert.equal(await readModels.checkpoint(), await eventStore.headPosition());
    assert.match(projector.health() ?? '', new RegExp(`^projector quarantined 1 event .* position ${poisonPosition}, UserCreated on stream user-poison: TypeError: `));
    assert.equal(projector.quarantined().count, 1);
    assert.equal((await metrics.registry.getSingleMetric('projector_quarantined_events')!.get()).values[0].value, 1);
    await append(eventStore, 'user-5', userCreated(5));
    await eventually(async () => assert.deepEqual(await userIds(readModels), [1, 2, 3, 4, 5]));
    await projector.stop();

    const restartedLogger = capturingLogger();
    const restarted = new Projector(eventStore, new ReadModels(readStore), restartedLogger);
    await restarted.start();
    await restarted.ready;
    assert.equal(restarted.health(), projector.health());
    assert.equal(restarted.quarantined().latest?.position, poisonPosition);
    assert.ok(!restartedLogger.lines.some((line) => line.includes('quarantined')), restartedLogger.lines.join('\n'));
    await restarted.stop();
  });

  it('stops, quarantining nothing, when the read store stops answering', async () => {
    const store = breakable(readStore);
    const readModels = new ReadModels(store.store);
    const projector = new Projector(eventStore, readModels, capturingLogger());
    await projector.start();
    await projector.ready;
    store.break();
    await append(eventStore, 'user-1', userCreated(1));
    await append(eventStore, 'user-2', userCreated(2));
    await eventually(async () => assert.match(projector.error?.message ?? '', /read store unreachable/));
    assert.equal(projector.health(), null);
    assert.equal(projector.quarantined().count, 0);
    await projector.stop();
  });

  it('waits, quarantining nothing, while the read store refuses writes (a full disk), and catches up once it takes them again', async () => {
    const store = breakable(readStore);
    const readModels = new ReadModels(store.store);
    const logger = capturingLogger();
    const projector = new Projector(eventStore, readModels, logger);
    await projector.start();
    await projector.ready;
    store.break('full');
    await append(eventStore, 'user-1', userCreated(1));
    await append(eventStore, 'user-2', userCreated(2));
    await eventually(async () => assert.ok(logger.lines.includes('projector cannot write; retrying'), logger.lines.join('\n')));
    assert.equal(projector.error, null);
    assert.equal(projector.quarantined().count, 0);
    store.mend();
    await eventually(async () => assert.deepEqual(await userIds(readModels), [1, 2]));
    assert.equal(projector.quarantined().count, 0);
    assert.equal(projector.health(), null);
    await projector.stop();
  });

  it('rebuilds past the poison event, quarantining it in the new generation', async () => {
    const poisonPosition = await appendUsersAroundPoison(eventStore);
    const readModels = new ReadModels(readStore);
    const result = await rebuildReadModels(eventStore, readModels);
    assert.equal(result.quarantined, 1);
    assert.deepEqual(await userIds(readModels, result.generation), [1, 2, 3, 4]);
    const projector = new Projector(eventStore, readModels, capturingLogger());
    await projector.start();
    await projector.ready;
    assert.equal(projector.quarantined().latest?.position, poisonPosition);
    await projector.stop();
  });
});
