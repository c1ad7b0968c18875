/**
 * The results bus contract, continued: handlers that throw or whose durable promise is pending or
 * fails. Called inside describeResultsBusContract, with its bus and consumers.
 */
import { strict as assert } from 'node:assert';
import { deferred, text, uniqueName, waitUntil, type ContractHarness } from './results-bus-contract-support';

export function describeFailureHandling(h: ContractHarness): void {
  it('retries a message whose handler threw, in place, without losing or reordering anything', async () => {
    const topic = uniqueName('throws');
    await h.bus.ensureTopics([topic], 1);
    await h.bus.produce(
      topic,
      Array.from({ length: 6 }, (_, i) => ({ key: 'campaign-9', value: String(i) })),
    );
    const attempts = new Map<number, number>();
    const handled: number[] = [];
    const errors: string[] = [];
    await h.consume({
      groupId: uniqueName('group'),
      topics: [topic],
      fromBeginning: true,
      onError: (error) => errors.push(error.message),
      onMessage: (message) => {
        const value = Number(text(message));
        const attempt = (attempts.get(value) ?? 0) + 1;
        attempts.set(value, attempt);
        if (value === 2 && attempt <= 2) throw new Error(`watcher unavailable (attempt ${attempt})`);
        handled.push(value);
      },
    });
    await waitUntil('6 handled', () => handled.length >= 6, () => ({ handled, errors }));

    assert.deepEqual(handled, [0, 1, 2, 3, 4, 5]);
    assert.equal(attempts.get(2), 3);
    // onError may also hear of consumer trouble (e.g. a reconnect); the handler's failures are all there.
    assert.deepEqual(
      errors.filter((message) => message.startsWith('watcher unavailable')),
      ['watcher unavailable (attempt 1)', 'watcher unavailable (attempt 2)'],
    );
  });

  it('redelivers a message whose handler never succeeded to the next member after a stop', async () => {
    const topic = uniqueName('poison');
    const groupId = uniqueName('group');
    await h.bus.ensureTopics([topic], 1);
    await h.bus.produce(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: 'campaign-5', value: String(i) })),
    );
    const handledByFirst: number[] = [];
    let failures = 0;
    const first = await h.consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      onError: () => (failures += 1),
      onBatch: async (batch) => {
        for (const message of batch.messages) {
          if (Number(text(message)) >= 2) throw new Error('downstream is down');
        }
        handledByFirst.push(...batch.messages.map((message) => Number(text(message))));
      },
    });
    await waitUntil('a failure', () => failures >= 1);
    await first.stop();

    const handledBySecond: number[] = [];
    await h.consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void handledBySecond.push(Number(text(m))) });
    await waitUntil('all 5 handled', () => handledBySecond.length >= 5 - handledByFirst.length, () => [handledByFirst, handledBySecond]);

    // The first consumer's batches that contained 2..4 never succeeded: none of them is lost.
    assert.deepEqual([...handledByFirst, ...handledBySecond], [0, 1, 2, 3, 4]);
    assert.ok(handledBySecond.includes(2));
  });
  describe('pipelined batches (a handler resolving with { durable })', function () {
    it('delivers the next batch while the previous one is not durable yet, and stop waits for it before committing', async () => {
      const topic = uniqueName('pipelined');
      const groupId = uniqueName('group');
      await h.bus.ensureTopics([topic], 1);
      const firstDurable = deferred();
      h.onCleanup(firstDurable.resolve);
      const batches: string[][] = [];
      const first = await h.consume({
        groupId,
        topics: [topic],
        fromBeginning: true,
        onBatch: (batch) => {
          batches.push(batch.messages.map(text));
          return batches.length === 1 ? { durable: firstDurable.promise } : undefined;
        },
      });
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'a' }]);
      await waitUntil('the first batch', () => batches.length >= 1);
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'b' }]);
      await waitUntil('the next batch, before the first is durable', () => batches.flat().includes('b'), () => batches);

      let stopped = false;
      const stopping = first.stop().then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stopped, false, 'stop waits for the pending durable');
      firstDurable.resolve();
      await stopping;

      const after: string[] = [];
      await h.consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void after.push(text(m)) });
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'c' }]);
      await waitUntil('c', () => after.includes('c'), () => after);
      assert.deepEqual(after, ['c'], 'both batches were committed once durable');
    });

    it('does not commit a batch whose durable rejected: it is delivered again, with what came after it', async () => {
      const topic = uniqueName('pipelined-reject');
      const groupId = uniqueName('group');
      await h.bus.ensureTopics([topic], 1);
      const errors: string[] = [];
      const seen: string[] = [];
      let rejected = false;
      const firstWrite = deferred();
      await h.consume({
        groupId,
        topics: [topic],
        fromBeginning: true,
        onError: (error) => errors.push(error.message),
        onBatch: (batch) => {
          const values = batch.messages.map(text);
          seen.push(...values);
          if (values[0] === 'a' && !rejected) {
            rejected = true;
            // Fails once the next batch has been delivered: the write of 'a' never happened.
            return { durable: firstWrite.promise.then(() => Promise.reject(new Error('store write failed'))) };
          }
          return { durable: Promise.resolve() };
        },
      });
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'a' }]);
      await waitUntil('a', () => seen.includes('a'));
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'b' }]);
      await waitUntil('b', () => seen.includes('b'), () => seen);
      firstWrite.resolve();
      await waitUntil('a and b again', () => seen.filter((value) => value === 'a').length >= 2 && seen.lastIndexOf('b') > seen.lastIndexOf('a'), () => ({ seen, errors }));
      assert.ok(errors.includes('store write failed'), 'onError is told');
      assert.deepEqual(seen.slice(seen.lastIndexOf('a')).filter((value) => value === 'a' || value === 'b'), ['a', 'b'], 'in order from the failed batch on');
    });

    it('gives a batch whose durable rejected during stop to the next member of the group', async () => {
      const topic = uniqueName('pipelined-stop');
      const groupId = uniqueName('group');
      await h.bus.ensureTopics([topic], 1);
      const write = deferred();
      let delivered = 0;
      const first = await h.consume({
        groupId,
        topics: [topic],
        fromBeginning: true,
        onError: () => undefined,
        onBatch: (batch) => {
          delivered += batch.messages.length;
          return { durable: write.promise.then(() => Promise.reject(new Error('gave up: stopping'))) };
        },
      });
      await h.bus.produce(topic, [{ key: 'campaign-1', value: 'x' }, { key: 'campaign-1', value: 'y' }]);
      await waitUntil('x and y', () => delivered >= 2);
      const stopping = first.stop();
      write.resolve();
      await stopping;

      const again: string[] = [];
      await h.consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void again.push(text(m)) });
      await waitUntil('x and y again', () => again.length >= 2, () => again);
      assert.deepEqual(again, ['x', 'y']);
    });
  });
}
