/**
 * The in-process bus's waits (a consumer waiting for the next message, a retry pausing) hang on a
 * signal that lives as long as the consumer. Each wait must leave nothing on it once it ended: a
 * consumer that waits once per message would otherwise hold one listener (or promise reaction)
 * per message handled, until it stops.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { PartitionLog } from '../../shared/adapters/results-bus/partition-log';
import { retryUntilHandled } from '../../shared/adapters/results-bus/handler-retry';

const stored = (n: number) => ({ key: 'k', value: Buffer.from(String(n)), headers: {}, timestamp: 0 });
const listenersOn = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('results bus waits', () => {
  it('a thousand waits for the next message leave no listener on the consumer-long signal, and no waiter on the log', async () => {
    const log = new PartitionLog(undefined);
    const consumerLife = new AbortController();
    for (let offset = 0; offset < 1_000; offset++) {
      const waiting = log.waitForOffset(offset, consumerLife.signal);
      const first = log.reserve([stored(offset)]);
      log.publishThrough(first + 1);
      await waiting;
    }
    assert.equal(listenersOn(consumerLife.signal), 0);
    assert.equal(log.waiterCount, 0);
  });

  it('a wait ends when its signal is aborted (or at once if it already was), and leaves nothing behind', async () => {
    const log = new PartitionLog(undefined);
    const revocation = new AbortController();
    const waiting = log.waitForOffset(0, revocation.signal);
    assert.equal(log.waiterCount, 1);
    revocation.abort();
    await waiting;
    assert.equal(log.waiterCount, 0);
    await log.waitForOffset(0, revocation.signal);
    assert.equal(log.waiterCount, 0);
  });

  it('retry pauses remove their listener when they end, and an abort cuts a pause short', async () => {
    const consumerLife = new AbortController();
    let failures = 0;
    const handled = await retryUntilHandled(
      () => {
        if (failures++ < 2) throw new Error('not yet');
      },
      { givingUp: () => consumerLife.signal.aborted, gaveUp: consumerLife.signal },
    );
    assert.equal(handled, true);
    assert.equal(listenersOn(consumerLife.signal), 0);

    const stopping = new AbortController();
    const retrying = retryUntilHandled(
      () => {
        throw new Error('never');
      },
      { givingUp: () => stopping.signal.aborted, gaveUp: stopping.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(listenersOn(stopping.signal), 1);
    stopping.abort();
    assert.equal(await retrying, false);
    assert.equal(listenersOn(stopping.signal), 0);
  });
});
