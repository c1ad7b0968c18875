/** The journaled in-process bus across restarts: what was produced and committed is kept, and no more. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournaledInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import type { IncomingMessage, ResultsBus } from '../../shared/ports/results-bus';
import { eventually } from '../support/eventually';
import { onSuiteEnd } from '../support/teardown';

function journalDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-bus-journal-'));
  onSuiteEnd(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Consumes `topic` as `groupId` until `count` messages arrived, then stops (committing them). */
async function consumeSome(bus: ResultsBus, groupId: string, topic: string, count: number): Promise<IncomingMessage[]> {
  const received: IncomingMessage[] = [];
  const consumer = await bus.consume({ groupId, topics: [topic], fromBeginning: true, onMessage: (message) => void received.push(message) });
  await eventually(async () => assert.ok(received.length >= count, `${received.length} of ${count}`));
  await consumer.stop();
  return received;
}

const values = (messages: IncomingMessage[]) => messages.map((message) => message.value.toString());

describe('in-process results bus, journaled', function () {
  this.timeout(30_000);

  it('keeps produced messages and committed offsets across a restart; offsets keep counting', async () => {
    const dir = journalDir();
    let bus = await openJournaledInProcessResultsBus(dir);
    await bus.ensureTopics(['answers'], 2);
    await bus.produce('answers', Array.from({ length: 10 }, (_, i) => ({ key: 'campaign-7', value: `a${i}`, headers: { n: String(i) } })));
    const firstRun: IncomingMessage[] = [];
    const consumer = await bus.consume({ groupId: 'recorder', topics: ['answers'], fromBeginning: true, onMessage: (message) => void firstRun.push(message) });
    await eventually(async () => assert.equal(firstRun.length, 10));
    await consumer.stop();
    await bus.produce('answers', [{ key: 'campaign-7', value: 'a10' }, { key: 'campaign-7', value: 'a11' }]);
    await bus.close();

    bus = await openJournaledInProcessResultsBus(dir);
    try {
      const resumed = await consumeSome(bus, 'recorder', 'answers', 2);
      assert.deepEqual(values(resumed), ['a10', 'a11'], 'the group resumes after what it committed');
      assert.deepEqual(resumed.map((message) => message.offset), [10, 11]);
      assert.equal(resumed[0].partition, firstRun[0].partition, 'the topic kept its partitions');
      await bus.produce('answers', [{ key: 'campaign-7', value: 'a12' }]);
      const next = await consumeSome(bus, 'recorder', 'answers', 1);
      assert.deepEqual(next.map((message) => [message.offset, message.value.toString()]), [[12, 'a12']]);
    } finally {
      await bus.close();
    }
  });

  it('trims what every known group committed, so a group that joins later starts after it', async () => {
    const dir = journalDir();
    let bus = await openJournaledInProcessResultsBus(dir);
    await bus.ensureTopics(['trimmed'], 1);
    await bus.produce('trimmed', Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: `t${i}` })));
    assert.equal((await consumeSome(bus, 'a', 'trimmed', 6)).length, 6);
    assert.equal((await consumeSome(bus, 'b', 'trimmed', 3)).length >= 3, true);
    await bus.produce('trimmed', [{ key: 'k', value: 'after' }]);
    await bus.close();

    bus = await openJournaledInProcessResultsBus(dir);
    try {
      // b is the known group furthest behind: the journal kept what b has not committed.
      const b = await bus.consume({ groupId: 'b', topics: ['trimmed'], fromBeginning: true, onMessage: () => undefined });
      await b.stop();
      const late = await consumeSome(bus, 'late', 'trimmed', 1);
      assert.equal(values(late).at(-1), 'after');
      assert.ok(late.length < 7, `messages every known group had committed are gone (got ${values(late).join(',')})`);
    } finally {
      await bus.close();
    }
  });
});
