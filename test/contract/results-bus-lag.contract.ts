/**
 * Contract of ResultsBus.consumerLag (shared/ports/results-bus.ts), run against every adapter
 * beside the main contract: per topic, the messages a group has not committed, partitions summed;
 * 0 for a partition never committed, an unknown topic or an unknown group. Also run through the
 * watched wrapper that every service uses (openResultsBus), which must pass the answer on.
 */
import { strict as assert } from 'node:assert';
import { watchResultsBus } from '../../shared/adapters/results-bus/watched-results-bus';
import type { IncomingMessage, ResultsBus } from '../../shared/ports/results-bus';
import { eventually } from '../support/eventually';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export function describeConsumerLagContract(name: string, open: () => Promise<ResultsBus>): void {
  for (const [variant, wrap] of [['', (bus: ResultsBus) => bus], [', watched', (bus: ResultsBus) => watchResultsBus(bus, { timeoutMs: 20_000 })]] as const) {
    describe(`results bus consumer lag contract: ${name}${variant}`, function () {
      this.timeout(60_000);
      let bus: ResultsBus;
      before(async () => {
        bus = wrap(await open());
      });
      after(async () => bus?.close());

      it('counts what the group has not committed, per topic, partitions summed', async () => {
        const [topic, other, groupId] = [unique('lag'), unique('lag-other'), unique('lag-group')];
        await bus.ensureTopics([topic, other], 2);
        await bus.produce(topic, ['a', 'b', 'c', 'd'].map((key) => ({ key, value: key })));
        const received: IncomingMessage[] = [];
        const consumer = await bus.consume({ groupId, topics: [topic, other], fromBeginning: true, onMessage: (message) => void received.push(message) });
        await eventually(async () => assert.equal(received.length, 4), 20_000);
        await consumer.stop(); // commits what was handled
        assert.deepEqual(await bus.consumerLag(groupId, [topic]), { [topic]: 0 });

        await bus.produce(topic, ['e', 'f', 'g'].map((key) => ({ key, value: key })));
        await eventually(async () => assert.deepEqual(await bus.consumerLag(groupId, [topic, other]), { [topic]: 3, [other]: 0 }), 20_000, 100);
        assert.deepEqual(await bus.consumerLag(unique('nobody'), [topic]), { [topic]: 0 }, 'a group that never committed');
        const missing = unique('missing');
        assert.deepEqual(await bus.consumerLag(groupId, [missing]), { [missing]: 0 }, 'a topic that does not exist');
      });
    });
  }
}
