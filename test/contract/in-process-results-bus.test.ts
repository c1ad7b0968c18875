import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInProcessResultsBus, openJournaledInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import type { IncomingMessage } from '../../shared/ports/results-bus';
import { onSuiteEnd } from '../support/teardown';
import { describeResultsBusContract } from './results-bus.contract';
import { describeConsumerLagContract } from './results-bus-lag.contract';

function journalDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-bus-journal-'));
  onSuiteEnd(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describeResultsBusContract('in-process', async () => createInProcessResultsBus());
describeResultsBusContract('in-process, journaled', async () => openJournaledInProcessResultsBus(journalDir()));
describeConsumerLagContract('in-process', async () => createInProcessResultsBus());
describeConsumerLagContract('in-process, journaled', async () => openJournaledInProcessResultsBus(journalDir()));

describe('in-process results bus', () => {
  it('drops the oldest messages past maxMessagesPerPartition, and a late group starts at the oldest kept', async () => {
    const bus = createInProcessResultsBus({ maxMessagesPerPartition: 10 });
    try {
      await bus.produce(
        'results',
        Array.from({ length: 25 }, (_, i) => ({ key: 'campaign-1', value: String(i) })),
      );
      const received: IncomingMessage[] = [];
      const consumer = await bus.consume({
        groupId: 'late',
        topics: ['results'],
        fromBeginning: true,
        onMessage: (message) => {
          received.push(message);
        },
      });
      await bus.produce('results', [{ key: 'campaign-1', value: 'last' }]);
      while (received.at(-1)?.value.toString() !== 'last') await new Promise((resolve) => setTimeout(resolve, 5));
      await consumer.stop();

      const values = received.map((message) => message.value.toString());
      assert.ok(values.length >= 11 && values.length <= 21, `kept between 10 and 20 old messages, got ${values.length - 1}`);
      assert.deepEqual(values.slice(0, -1), Array.from({ length: values.length - 1 }, (_, i) => String(25 - (values.length - 1) + i)));
      assert.equal(received[0].offset, 25 - (values.length - 1), 'offsets keep counting from the first message ever');
    } finally {
      await bus.close();
    }
  });

  it('refuses to work after close', async () => {
    const bus = createInProcessResultsBus();
    await bus.close();
    await assert.rejects(bus.produce('results', [{ key: 'k', value: 'v' }]), /closed/);
    await assert.rejects(bus.ping(), /closed/);
  });
});
