/**
 * Given/then for projections: events in, read-model documents out, through the real projector
 * entry point (`projectEvent`, one UnitOfWork, commit) into a temp-dir LMDB read store.
 *
 *   await givenEvents([{ type: USER_CREATED, data: {...}, streamId: 'user-a@example.com' }])
 *     .thenDocuments(USERS, { '1': {...} });
 *   await givenEvents([...]).thenCollections({ [USERS]: {...}, [ACTIVITIES]: {} });
 *   await givenEvents([...]).appliedTwice().thenDocuments(USERS, {...});
 *   await givenEvents([...]).thenReplayChangesNothing();
 *   await givenEvents([...]).thenNothingProjected();
 *
 * The events become RecordedEvents in the order given: positions 0, 1, 2, ...; revisions counted
 * per stream; `at` defaults to one second per position after 2024-01-01T00:00:00Z; the actor
 * defaults to user 1 (ADMIN); each event is its own request (correlation id `request-<position>`)
 * unless `correlationId` says otherwise.
 *
 * Expected documents are compared with deepEqual and then by their JSON text, so the field order
 * the projector writes is part of the expectation (the documents are served as they are stored).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import type { Actor, RecordedEvent } from '../../shared/ports/event-store';
import { generationOfCollection, ReadModels } from '../../shared/read-models/read-models';
import { projectEvent } from '../../services/projector/projections';
import { UnitOfWork } from '../../services/projector/unit-of-work';

export const ADMIN: Actor = { type: 'user', id: '1', email: 'admin@example.com', name: 'Admin' };
export const SYSTEM: Actor = { type: 'system', id: 'logbook' };

const EPOCH = Date.UTC(2024, 0, 1);

/** The ISO time the helper gives the event at `position` when the input has no `at`. */
export const atPosition = (position: number) => new Date(EPOCH + position * 1000).toISOString();

export interface GivenEvent<T = unknown> {
  type: string;
  data: T;
  streamId?: string;
  actor?: Actor;
  at?: string;
  correlationId?: string;
}

/** Documents of one collection by id; `{}` means the collection is empty. */
export type ExpectedDocuments = Record<string, object>;

/** Builds the RecordedEvents `givenEvents` projects (see the header for the defaults). */
export function recordedEvents(given: GivenEvent[]): RecordedEvent[] {
  const revisions = new Map<string, number>();
  return given.map((input, position) => {
    const streamId = input.streamId ?? 'test';
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    return {
      id: `event-${position}`,
      streamId,
      revision,
      position,
      type: input.type,
      data: input.data,
      metadata: {
        actor: input.actor ?? ADMIN,
        occurredAt: input.at ?? atPosition(position),
        correlationId: input.correlationId ?? `request-${position}`,
        causationId: null,
      },
    };
  });
}

/** Projects batches into generation `generation`, one UnitOfWork and commit per batch. */
async function project(readModels: ReadModels, generation: number, batches: RecordedEvent[][]): Promise<void> {
  for (const batch of batches) {
    const uow = new UnitOfWork(readModels, generation);
    for (const event of batch) await projectEvent(uow, event);
    await uow.commit();
  }
}

/** Every non-empty collection of a generation: logical name → documents in id order. */
async function snapshot(readModels: ReadModels, generation: number): Promise<Record<string, object[]>> {
  const prefix = `g${generation}_`;
  const names = (await readModels.store.listCollections()).filter((name) => generationOfCollection(name) === generation).sort();
  const result: Record<string, object[]> = {};
  for (const name of names) result[name.slice(prefix.length)] = await readModels.store.collection(name).find();
  return result;
}

async function withReadModels<R>(use: (readModels: ReadModels) => Promise<R>): Promise<R> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-projection-test-'));
  const store = await openLmdbReadStore(directory);
  try {
    const readModels = new ReadModels(store);
    await readModels.init();
    return await use(readModels);
  } finally {
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

function assertSameDocument(actual: object | null, expected: object, where: string): void {
  assert.ok(actual !== null, `${where}: no document`);
  assert.deepEqual(actual, expected, where);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${where}: same fields, in the same order`);
}

export interface GivenEvents {
  readonly events: RecordedEvent[];
  /** The same events, projected once and then all again in a second batch (a crash's replay). */
  appliedTwice(): GivenEvents;
  /** Asserts that the collection holds exactly these documents, under these ids. */
  thenDocuments(collection: string, expected: ExpectedDocuments): Promise<void>;
  /** thenDocuments for several collections at once. */
  thenCollections(expected: Record<string, ExpectedDocuments>): Promise<void>;
  /** Asserts that projecting the events wrote no document at all. */
  thenNothingProjected(): Promise<void>;
  /**
   * Asserts idempotence the way the projector needs it: for every k, projecting all the events
   * and then replaying events k..n (a crash after the models were written but before the
   * checkpoint was) leaves every collection as projecting the events once did.
   */
  thenReplayChangesNothing(): Promise<void>;
}

function given(events: RecordedEvent[], batches: RecordedEvent[][]): GivenEvents {
  const thenCollections = (expected: Record<string, ExpectedDocuments>) =>
    withReadModels(async (readModels) => {
      const generation = readModels.currentGeneration();
      await project(readModels, generation, batches);
      for (const [name, documents] of Object.entries(expected)) {
        const collection = readModels.collection(name, generation);
        assert.equal(await collection.count(), Object.keys(documents).length, `number of documents in ${name}: ${JSON.stringify(await collection.find())}`);
        for (const [id, document] of Object.entries(documents)) assertSameDocument(await collection.get(id), document, `${name} ${JSON.stringify(id)}`);
      }
    });

  return {
    events,
    appliedTwice: () => given(events, [...batches, events]),
    thenDocuments: (collection, expected) => thenCollections({ [collection]: expected }),
    thenCollections,
    thenNothingProjected: () =>
      withReadModels(async (readModels) => {
        await project(readModels, readModels.currentGeneration(), batches);
        assert.deepEqual(await snapshot(readModels, readModels.currentGeneration()), {});
      }),
    thenReplayChangesNothing: () =>
      withReadModels(async (readModels) => {
        const once = readModels.currentGeneration();
        await project(readModels, once, [events]);
        const expected = await snapshot(readModels, once);
        assert.notDeepEqual(expected, {}, 'the events project something');
        // One generation per replay point, side by side in the same store.
        for (let k = 0; k < events.length; k += 1) {
          const generation = once + 1 + k;
          await project(readModels, generation, [events, events.slice(k)]);
          const replayed = await snapshot(readModels, generation);
          assert.deepEqual(replayed, expected, `replaying from event ${k} (${events[k].type})`);
          assert.equal(JSON.stringify(replayed), JSON.stringify(expected), `replaying from event ${k}: same field order`);
        }
      }),
  };
}

export function givenEvents(input: GivenEvent[]): GivenEvents {
  const events = recordedEvents(input);
  return given(events, [events]);
}
