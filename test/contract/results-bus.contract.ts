/**
 * Contract of the results bus port (shared/ports/results-bus.ts), run against every adapter.
 * Each test uses its own topics and groups, so tests never see each other's messages.
 */
import { strict as assert } from 'node:assert';
import type { Consumer, IncomingBatch, IncomingMessage, ResultsBus } from '../../shared/ports/results-bus';
import { describeFailureHandling } from './results-bus-failures.contract';
import { deferred, text, uniqueName, waitUntil } from './results-bus-contract-support';

export function describeResultsBusContract(name: string, open: () => Promise<ResultsBus>): void {
  describe(`results bus contract: ${name}`, function () {
    this.timeout(60_000);

    let bus: ResultsBus;
    let consumers: Consumer[] = [];
    let cleanups: Array<() => void> = [];

    async function consume(options: Parameters<ResultsBus['consume']>[0]): Promise<Consumer> {
      const consumer = await bus.consume(options);
      consumers.push(consumer);
      return consumer;
    }

    before(async () => {
      bus = await open();
    });

    afterEach(async () => {
      for (const cleanup of cleanups) cleanup();
      cleanups = [];
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      consumers = [];
    });

    after(async () => {
      await bus?.close();
    });

    it('answers ping and accepts ensureTopics for topics that already exist', async () => {
      await bus.ping();
      const topic = uniqueName('ensure');
      await bus.ensureTopics([topic], 2);
      await bus.ensureTopics([topic], 2);
    });

    it('delivers produced messages with their key, value, topic, partition and offset', async () => {
      const topic = uniqueName('round-trip');
      await bus.ensureTopics([topic], 1);
      await bus.produce(topic, [
        { key: 'campaign-1', value: 'first' },
        { key: 'campaign-1', value: Buffer.from([0, 1, 2, 255]) },
        { key: 'campaign-2', value: '{"rows":[{"name":"é"}]}' },
      ]);
      const received: IncomingMessage[] = [];
      await consume({
        groupId: uniqueName('group'),
        topics: [topic],
        fromBeginning: true,
        onMessage: (message) => {
          received.push(message);
        },
      });
      await waitUntil('3 messages', () => received.length >= 3, () => received.map(text));

      assert.deepEqual(
        received.map((message) => message.key),
        ['campaign-1', 'campaign-1', 'campaign-2'],
      );
      assert.equal(text(received[0]), 'first');
      assert.ok(Buffer.isBuffer(received[1].value));
      assert.deepEqual([...received[1].value], [0, 1, 2, 255]);
      assert.deepEqual(JSON.parse(text(received[2])), { rows: [{ name: 'é' }] });
      assert.deepEqual(
        received.map((message) => message.offset),
        [0, 1, 2],
      );
      for (const message of received) {
        assert.equal(message.topic, topic);
        assert.equal(message.partition, 0);
        assert.ok(message.timestamp > 0);
      }
    });

    it('round-trips headers, and gives {} for a message without any', async () => {
      const topic = uniqueName('headers');
      await bus.ensureTopics([topic], 1);
      await bus.produce(topic, [
        { key: 'k', value: 'with', headers: { 'content-type': 'application/json', 'x-campaign-id': '42' } },
        { key: 'k', value: 'without' },
      ]);
      const received: IncomingMessage[] = [];
      await consume({
        groupId: uniqueName('group'),
        topics: [topic],
        fromBeginning: true,
        onMessage: (message) => {
          received.push(message);
        },
      });
      await waitUntil('2 messages', () => received.length >= 2);

      assert.deepEqual(received[0].headers, { 'content-type': 'application/json', 'x-campaign-id': '42' });
      assert.deepEqual(received[1].headers, {});
    });

    it('keeps the order of each key across partitions, for messages produced before and after joining', async () => {
      const topic = uniqueName('order');
      await bus.ensureTopics([topic], 4);
      const keys = Array.from({ length: 25 }, (_, i) => `campaign-${i}`);
      const perKey = 8;
      const produceRound = (round: number) =>
        bus.produce(
          topic,
          keys.map((key) => ({ key, value: String(round) })),
        );

      for (let round = 0; round < perKey / 2; round++) await produceRound(round);
      const seen = new Map<string, number[]>();
      const partitionOfKey = new Map<string, Set<number>>();
      let total = 0;
      await consume({
        groupId: uniqueName('group'),
        topics: [topic],
        fromBeginning: true,
        onMessage: (message) => {
          total += 1;
          seen.set(message.key, [...(seen.get(message.key) ?? []), Number(text(message))]);
          partitionOfKey.set(message.key, (partitionOfKey.get(message.key) ?? new Set()).add(message.partition));
        },
      });
      for (let round = perKey / 2; round < perKey; round++) await produceRound(round);
      await waitUntil(`${keys.length * perKey} messages`, () => total >= keys.length * perKey, () => total);

      const expected = Array.from({ length: perKey }, (_, i) => i);
      for (const key of keys) assert.deepEqual(seen.get(key), expected, `order of ${key}`);
      for (const key of keys) assert.equal(partitionOfKey.get(key)?.size, 1, `${key} stays in one partition`);
      const partitionsUsed = new Set([...partitionOfKey.values()].flatMap((partitions) => [...partitions]));
      assert.ok(partitionsUsed.size > 1, 'keys spread over several partitions');
      assert.equal(total, keys.length * perKey, 'no message twice');
    });

    it('hands onBatch consecutive messages of one partition, oldest first', async () => {
      const topic = uniqueName('batches');
      await bus.ensureTopics([topic], 2);
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (let round = 0; round < 5; round++) {
        await bus.produce(
          topic,
          keys.map((key) => ({ key, value: String(round) })),
        );
      }
      const batches: IncomingBatch[] = [];
      await consume({
        groupId: uniqueName('group'),
        topics: [topic],
        fromBeginning: true,
        onBatch: (batch) => {
          batches.push(batch);
        },
      });
      const count = () => batches.reduce((sum, batch) => sum + batch.messages.length, 0);
      await waitUntil('30 messages', () => count() >= 30, count);

      assert.equal(count(), 30);
      for (const batch of batches) {
        assert.ok(batch.messages.length > 0, 'no empty batch');
        for (const [i, message] of batch.messages.entries()) {
          assert.equal(message.partition, batch.partition);
          assert.equal(message.topic, topic);
          if (i > 0) assert.equal(message.offset, batch.messages[i - 1].offset + 1);
        }
      }
      for (const key of keys) {
        const values = batches.flatMap((batch) => batch.messages).filter((m) => m.key === key).map(text);
        assert.deepEqual(values, ['0', '1', '2', '3', '4']);
      }
    });

    it('gives every message to each of two groups, on the partitions ensureTopics asked for', async () => {
      const topic = uniqueName('two-groups');
      await bus.ensureTopics([topic], 3);
      await bus.ensureTopics([topic], 5); // an existing topic keeps its partitions
      const values = Array.from({ length: 30 }, (_, i) => `result-${i}`);
      await bus.produce(
        topic,
        values.map((value, i) => ({ key: `host-${i}`, value })),
      );
      const first: IncomingMessage[] = [];
      const second: IncomingMessage[] = [];
      await consume({ groupId: uniqueName('group-a'), topics: [topic], fromBeginning: true, onMessage: (m) => void first.push(m) });
      await consume({ groupId: uniqueName('group-b'), topics: [topic], fromBeginning: true, onMessage: (m) => void second.push(m) });
      await waitUntil('both groups read 30', () => first.length >= 30 && second.length >= 30, () => [first.length, second.length]);

      assert.deepEqual(first.map(text).sort(), [...values].sort());
      assert.deepEqual(second.map(text).sort(), [...values].sort());
      assert.deepEqual(
        [...new Set(first.map((message) => message.partition))].sort(),
        [0, 1, 2],
      );
    });

    it('splits the partitions between two consumers of one group, each message handled once', async () => {
      const topic = uniqueName('shared-group');
      const groupId = uniqueName('group');
      await bus.ensureTopics([topic], 4);
      const byFirst: string[] = [];
      const bySecond: string[] = [];
      await consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void byFirst.push(text(m)) });
      await consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void bySecond.push(text(m)) });

      const values = Array.from({ length: 40 }, (_, i) => `result-${i}`);
      await bus.produce(
        topic,
        values.map((value, i) => ({ key: `host-${i}`, value })),
      );
      const union = () => new Set([...byFirst, ...bySecond]);
      await waitUntil('all 40 handled', () => union().size >= 40, () => [byFirst.length, bySecond.length]);

      assert.equal(byFirst.length + bySecond.length, 40, 'no message handled twice');
      assert.ok(byFirst.length > 0 && bySecond.length > 0, `both members got partitions (${byFirst.length}/${bySecond.length})`);
    });

    it('resumes after a stop mid-stream: a new member of the group continues where the last handled message was', async () => {
      const topic = uniqueName('resume');
      const groupId = uniqueName('group');
      await bus.ensureTopics([topic], 1);
      await bus.produce(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: `campaign-${i % 3}`, value: String(i) })),
      );

      const handledBefore: number[] = [];
      const inHandlerOfSeven = deferred();
      const releaseSeven = deferred();
      cleanups.push(releaseSeven.resolve);
      const first = await consume({
        groupId,
        topics: [topic],
        fromBeginning: true,
        onMessage: async (message) => {
          const value = Number(text(message));
          if (value === 7) {
            inHandlerOfSeven.resolve();
            await releaseSeven.promise;
          }
          handledBefore.push(value);
        },
      });
      await inHandlerOfSeven.promise;
      const stopped = first.stop(); // waits for the handler of 7, then commits
      releaseSeven.resolve();
      await stopped;

      const handledAfter: number[] = [];
      await consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (m) => void handledAfter.push(Number(text(m))) });
      await waitUntil('the rest', () => handledBefore.length + handledAfter.length >= 20, () => [handledBefore, handledAfter]);

      assert.deepEqual(handledBefore, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(handledAfter, [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    });

    it('starts a new group at the end of its topics when fromBeginning is false', async () => {
      const topic = uniqueName('latest');
      await bus.ensureTopics([topic], 1);
      await bus.produce(topic, [
        { key: 'k', value: 'old-1' },
        { key: 'k', value: 'old-2' },
      ]);
      const received: string[] = [];
      await consume({ groupId: uniqueName('group'), topics: [topic], fromBeginning: false, onMessage: (m) => void received.push(text(m)) });
      await bus.produce(topic, [
        { key: 'k', value: 'new-1' },
        { key: 'k', value: 'new-2' },
      ]);
      await waitUntil('2 messages', () => received.length >= 2, () => received);

      // One partition, so anything old would have come first.
      assert.deepEqual(received, ['new-1', 'new-2']);
    });

    it('lists the groups with a prefix that have members, and forgets a group once its last member stopped', async () => {
      const prefix = uniqueName('live-');
      const topic = uniqueName('live-topic');
      await bus.ensureTopics([topic], 1);
      assert.deepEqual(await bus.liveGroups(prefix), []);
      const first = await consume({ groupId: `${prefix}a`, topics: [topic], fromBeginning: true, onMessage: () => undefined });
      await consume({ groupId: `${prefix}b`, topics: [topic], fromBeginning: true, onMessage: () => undefined });
      await consume({ groupId: uniqueName('other-'), topics: [topic], fromBeginning: true, onMessage: () => undefined });
      assert.deepEqual((await bus.liveGroups(prefix)).sort(), [`${prefix}a`, `${prefix}b`]);
      await first.stop();
      assert.deepEqual(await bus.liveGroups(prefix), [`${prefix}b`]);
    });

    describeFailureHandling({
      get bus() {
        return bus;
      },
      consume,
      onCleanup: (cleanup) => void cleanups.push(cleanup),
    });
  });
}
