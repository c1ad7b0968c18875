/**
 * Contract of the event store port, run against every adapter. Stream names are unique per test
 * so the suite also runs against a shared EventStoreDB server (it assumes no other writer appends
 * while it runs).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  START,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '../../shared/ports/event-store';

export interface OpenedEventStore {
  store: EventStore;
  /** Opens the same data again; the test closes `store` before calling it. */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever is still open and removes the data. */
  cleanup: () => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    actor: { type: 'user', id: 'u-1', email: 'admin@example.com', name: 'Admin' },
    occurredAt: '2024-05-01T12:00:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    ...overrides,
  };
}

function event(type: string, data: Record<string, unknown> = {}): NewEvent {
  return { type, data, metadata: metadata() };
}

function newStream(): string {
  return `contract-${randomUUID()}`;
}

async function appendTo(store: EventStore, streamId: string, expected: ExpectedRevision, events: NewEvent[]) {
  return store.append([{ streamId, expected, events }]);
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function rejectsWithWrongRevision(
  attempt: Promise<unknown>,
  expected: { streamId: string; expected: ExpectedRevision; actual: number | 'no_stream' },
): Promise<void> {
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof WrongExpectedRevisionError, `expected WrongExpectedRevisionError, got ${error}`);
    assert.deepEqual({ streamId: error.streamId, expected: error.expected, actual: error.actual }, expected);
    return true;
  });
}

function ofStreams(events: RecordedEvent[], ...streamIds: string[]): RecordedEvent[] {
  return events.filter((recorded) => streamIds.includes(recorded.streamId));
}

function assertIncreasingPositions(events: RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].position > events[i - 1].position, `position ${events[i].position} after ${events[i - 1].position}`);
  }
}

export function describeEventStoreContract(adapterName: string, open: () => Promise<OpenedEventStore>): void {
  describe(`event store contract: ${adapterName}`, function () {
    let opened: OpenedEventStore;
    let store: EventStore;

    beforeEach(async function () {
      opened = await open();
      store = opened.store;
    });

    afterEach(async function () {
      await opened.cleanup();
    });

    it('appends events to a stream and reads them back with revisions from 0', async function () {
      const streamId = newStream();
      const givenId = randomUUID();
      const result = await appendTo(store, streamId, 'no_stream', [
        { ...event('QuerySpecApplied', { name: 'q1' }), id: givenId },
        event('QuerySpecApplied', { name: 'q2' }),
        event('QuerySpecDeleted', { name: 'q1' }),
      ]);
      const events = await store.readStream(streamId);
      assert.deepEqual(events.map((e) => [e.streamId, e.revision, e.type, e.data]), [
        [streamId, 0, 'QuerySpecApplied', { name: 'q1' }],
        [streamId, 1, 'QuerySpecApplied', { name: 'q2' }],
        [streamId, 2, 'QuerySpecDeleted', { name: 'q1' }],
      ]);
      assert.equal(events[0].id, givenId);
      assert.match(events[1].id, UUID);
      assert.notEqual(events[1].id, events[2].id);
      assertIncreasingPositions(events);
      assert.deepEqual(result, { revisions: [2], position: events[2].position });
      assert.deepEqual((await store.readStream(streamId, 1)).map((e) => e.revision), [1, 2]);
      assert.deepEqual(await store.readStream(newStream()), []);
    });

    it('enforces expected revisions with typed errors', async function () {
      const streamId = newStream();
      await rejectsWithWrongRevision(appendTo(store, streamId, 0, [event('A')]), {
        streamId, expected: 0, actual: 'no_stream',
      });
      await appendTo(store, streamId, 'no_stream', [event('A'), event('B')]);
      await rejectsWithWrongRevision(appendTo(store, streamId, 'no_stream', [event('C')]), {
        streamId, expected: 'no_stream', actual: 1,
      });
      await rejectsWithWrongRevision(appendTo(store, streamId, 0, [event('C')]), {
        streamId, expected: 0, actual: 1,
      });
      assert.deepEqual((await appendTo(store, streamId, 1, [event('C')])).revisions, [2]);
      assert.deepEqual((await appendTo(store, streamId, 'any', [event('D')])).revisions, [3]);
      const other = newStream();
      assert.deepEqual((await appendTo(store, other, 'any', [event('E')])).revisions, [0]);
      assert.deepEqual((await store.readStream(streamId)).map((e) => e.type), ['A', 'B', 'C', 'D']);
    });

    it('appends to several streams atomically: one failing expectation stores nothing', async function () {
      const first = newStream();
      const second = newStream();
      await appendTo(store, second, 'no_stream', [event('Existing')]);
      const headBefore = await store.headPosition();
      await rejectsWithWrongRevision(
        store.append([
          { streamId: first, expected: 'no_stream', events: [event('One'), event('Two')] },
          { streamId: second, expected: 5, events: [event('Three')] },
        ]),
        { streamId: second, expected: 5, actual: 0 },
      );
      assert.deepEqual(await store.readStream(first), []);
      assert.deepEqual((await store.readStream(second)).map((e) => e.type), ['Existing']);
      assert.deepEqual(ofStreams(await store.readAll(headBefore, 100), first, second), []);

      const result = await store.append([
        { streamId: first, expected: 'no_stream', events: [event('One'), event('Two')] },
        { streamId: second, expected: 0, events: [event('Three')] },
      ]);
      assert.deepEqual(result.revisions, [1, 1]);
      const written = ofStreams(await store.readAll(headBefore, 100), first, second);
      assert.deepEqual(written.map((e) => [e.streamId, e.type]), [[first, 'One'], [first, 'Two'], [second, 'Three']]);
      assert.equal(result.position, written[2].position);
    });

    it('keeps metadata: actor, occurredAt, correlation and causation ids', async function () {
      const streamId = newStream();
      const host = metadata({ actor: { type: 'host', id: 'host-42' }, causationId: randomUUID() });
      const user = metadata();
      await appendTo(store, streamId, 'no_stream', [
        { type: 'HostEnrolled', data: { hostname: 'web-1' }, metadata: host },
        { type: 'LabelApplied', data: { name: 'web' }, metadata: user },
      ]);
      const [fromHost, fromUser] = await store.readStream(streamId);
      assert.deepEqual(fromHost.metadata, host);
      assert.deepEqual(fromUser.metadata, user);
      const [inLog] = ofStreams(await store.readAll(fromHost.position - 1, 10), streamId);
      assert.deepEqual(inLog.metadata, host);
    });

    it('reads the whole log in pages, in order, and reports its head position', async function () {
      const streams = [newStream(), newStream()];
      const headBefore = await store.headPosition();
      let last = { revisions: [] as number[], position: START };
      for (let i = 0; i < 7; i++) {
        last = await appendTo(store, streams[i % 2], 'any', [event('Step', { i })]);
      }
      assert.equal(await store.headPosition(), last.position);
      const seen: RecordedEvent[] = [];
      for (let after = headBefore; ; ) {
        const page = await store.readAll(after, 3);
        assert.ok(page.length <= 3);
        if (page.length === 0) break;
        seen.push(...page);
        after = page[page.length - 1].position;
      }
      assertIncreasingPositions(seen);
      assert.deepEqual(ofStreams(seen, ...streams).map((e) => e.data), [0, 1, 2, 3, 4, 5, 6].map((i) => ({ i })));
      assert.equal(seen[seen.length - 1].position, last.position);
      assert.deepEqual(await store.readAll(last.position, 10), []);
    });

    it('subscribes: catches up, then goes live, without gap, duplicate or reordering', async function () {
      const streamId = newStream();
      const headBefore = await store.headPosition();
      await appendTo(store, streamId, 'no_stream', [1, 2, 3, 4, 5].map((n) => event('Tick', { n })));
      const received: RecordedEvent[] = [];
      let caughtUpAfter = -1;
      let appendedWhileCatchingUp = false;
      const subscription = store.subscribeToAll({
        after: headBefore,
        onEvent: async (recorded) => {
          received.push(recorded);
          if (!appendedWhileCatchingUp) {
            appendedWhileCatchingUp = true;
            await appendTo(store, streamId, 'any', [6, 7, 8, 9, 10].map((n) => event('Tick', { n })));
          }
          await new Promise((resolve) => setImmediate(resolve));
        },
        onCaughtUp: () => (caughtUpAfter = received.length),
      });
      try {
        await waitFor(() => caughtUpAfter >= 0);
        assert.ok(caughtUpAfter >= 10, `caught up after ${caughtUpAfter} events`);
        for (let n = 11; n <= 15; n++) await appendTo(store, streamId, 'any', [event('Tick', { n })]);
        await waitFor(() => ofStreams(received, streamId).length >= 15);
      } finally {
        await subscription.close();
      }
      const ours = ofStreams(received, streamId);
      assert.deepEqual(ours.map((e) => (e.data as { n: number }).n), [...Array(15).keys()].map((i) => i + 1));
      assert.deepEqual(ours.map((e) => e.revision), [...Array(15).keys()]);
      assertIncreasingPositions(received);
    });

    it('calls onCaughtUp once when there is nothing to catch up', async function () {
      let caughtUp = 0;
      const subscription = store.subscribeToAll({
        after: await store.headPosition(),
        onEvent: () => undefined,
        onCaughtUp: () => (caughtUp += 1),
      });
      await waitFor(() => caughtUp > 0);
      await appendTo(store, newStream(), 'no_stream', [event('Later')]);
      await subscription.close();
      assert.equal(caughtUp, 1);
    });

    it('stops delivering once closed, after the running handler has finished', async function () {
      const streamId = newStream();
      const headBefore = await store.headPosition();
      const received: RecordedEvent[] = [];
      let releaseHandler!: () => void;
      const handlerGate = new Promise<void>((resolve) => (releaseHandler = resolve));
      let handlerFinished = false;
      const subscription = store.subscribeToAll({
        after: headBefore,
        onEvent: async (recorded) => {
          received.push(recorded);
          await handlerGate;
          handlerFinished = true;
        },
      });
      await appendTo(store, streamId, 'no_stream', [event('First'), event('Second')]);
      await waitFor(() => received.length === 1);
      const closing = subscription.close();
      releaseHandler();
      await closing;
      assert.equal(handlerFinished, true);

      await appendTo(store, streamId, 1, [event('Third')]);
      const witness: RecordedEvent[] = [];
      const witnessSubscription = store.subscribeToAll({ after: headBefore, onEvent: (e) => void witness.push(e) });
      await waitFor(() => ofStreams(witness, streamId).length === 3);
      await witnessSubscription.close();
      assert.deepEqual(ofStreams(received, streamId).map((e) => e.type), ['First']);
    });

    it('reports a failing handler through onError and stops', async function () {
      const streamId = newStream();
      const headBefore = await store.headPosition();
      const errors: Error[] = [];
      let calls = 0;
      const subscription = store.subscribeToAll({
        after: headBefore,
        onEvent: () => {
          calls += 1;
          throw new Error('projection failed');
        },
        onError: (error) => errors.push(error),
      });
      await appendTo(store, streamId, 'no_stream', [event('A'), event('B')]);
      await waitFor(() => errors.length > 0);
      await subscription.close();
      assert.equal(errors[0].message, 'projection failed');
      assert.equal(calls, 1);
    });

    it('serialises 200 concurrent appends with expected revisions and retries', async function () {
      const streamId = newStream();
      const writers = [...Array(200).keys()];
      await Promise.all(
        writers.map(async (writer) => {
          let expected: ExpectedRevision = 'no_stream';
          for (;;) {
            try {
              return await appendTo(store, streamId, expected, [event('Counted', { writer })]);
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
              expected = error.actual;
            }
          }
        }),
      );
      const events = await store.readStream(streamId);
      assert.deepEqual(events.map((e) => e.revision), writers);
      const writersSeen = events.map((e) => (e.data as { writer: number }).writer).sort((a, b) => a - b);
      assert.deepEqual(writersSeen, writers);
      assertIncreasingPositions(events);
    });

    it('keeps everything when opened again', async function () {
      if (!opened.reopen) this.skip();
      const streamId = newStream();
      await appendTo(store, streamId, 'no_stream', [event('A', { v: 1 }), event('B', { v: 2 })]);
      const streamBefore = await store.readStream(streamId);
      const headBefore = await store.headPosition();
      const logBefore = await store.readAll(START, 1000);
      await store.close();

      store = await opened.reopen!();
      assert.deepEqual(await store.readStream(streamId), streamBefore);
      assert.equal(await store.headPosition(), headBefore);
      assert.deepEqual(await store.readAll(START, 1000), logBefore);
      const next = await appendTo(store, streamId, 1, [event('C')]);
      assert.deepEqual(next.revisions, [2]);
      assert.ok(next.position > headBefore);
    });
  });
}
