import assert from 'node:assert/strict';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { BusUnavailableError, watchResultsBus } from '../../shared/adapters/results-bus/watched-results-bus';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { eventually } from '../support/eventually';

/** The in-process bus whose produce and ping can be made to hang or fail. */
function controllableBus() {
  const inner = createInProcessResultsBus();
  const control = { hang: false, failPing: false, refuse: false };
  const never = new Promise<never>(() => undefined);
  const bus: ResultsBus = {
    produce: (topic, messages) => (control.hang ? never : control.refuse ? Promise.reject(new Error('Number of retries exceeded')) : inner.produce(topic, messages)),
    consume: (options) => inner.consume(options),
    ensureTopics: (names, partitions) => inner.ensureTopics(names, partitions),
    liveGroups: (prefix) => inner.liveGroups(prefix),
    consumerLag: (groupId, topics) => inner.consumerLag(groupId, topics),
    ping: () => (control.hang ? never : control.failPing ? Promise.reject(new Error('broker gone')) : inner.ping()),
    close: () => inner.close(),
  };
  return { bus, control };
}

describe('watched results bus', () => {
  it('gives up on a produce that hangs, marks the bus down, refuses at once, and recovers on the next good ping', async () => {
    const { bus, control } = controllableBus();
    const watched = watchResultsBus(bus, { timeoutMs: 200, pingEveryMs: 50 });
    try {
      await watched.produce('t', [{ key: 'k', value: 'v' }]);
      assert.equal(watched.problem(), null);
      control.hang = true;
      await assert.rejects(watched.produce('t', [{ key: 'k', value: 'v' }]), (error: unknown) => error instanceof BusUnavailableError && /produce to "t" not answered within 200 ms/.test(error.message));
      assert.match(watched.problem()!, /^results bus: /);
      await assert.rejects(watched.produce('t', [{ key: 'k', value: 'v' }]), BusUnavailableError);
      control.hang = false;
      await eventually(async () => assert.equal(watched.problem(), null), 5_000, 20);
      await watched.produce('t', [{ key: 'k', value: 'v' }]);
    } finally {
      await watched.close();
    }
  });

  it('turns a refused produce into a 503-kind error without marking the bus down by itself', async () => {
    const { bus, control } = controllableBus();
    const watched = watchResultsBus(bus, { timeoutMs: 1_000, pingEveryMs: 60_000 });
    try {
      control.refuse = true;
      await assert.rejects(watched.produce('t', [{ key: 'k', value: 'v' }]), (error: unknown) => {
        assert.ok(error instanceof BusUnavailableError);
        assert.equal(error.kind, 'unavailable');
        assert.equal(error.message, 'results bus: produce to "t" failed: Number of retries exceeded');
        return true;
      });
      control.refuse = false;
      await watched.produce('t', [{ key: 'k', value: 'v' }]);
    } finally {
      await watched.close();
    }
  });

  it('reports a failing ping as the problem, with its reason', async () => {
    const { bus, control } = controllableBus();
    control.failPing = true;
    const watched = watchResultsBus(bus, { timeoutMs: 200, pingEveryMs: 50 });
    try {
      await eventually(async () => assert.equal(watched.problem(), 'results bus: broker gone'), 5_000, 20);
      control.failPing = false;
      await eventually(async () => assert.equal(watched.problem(), null), 5_000, 20);
    } finally {
      await watched.close();
    }
  });

  it('tracks the groups this process consumes, until their consumers stop', async () => {
    const { bus } = controllableBus();
    const watched = watchResultsBus(bus, { timeoutMs: 1_000 });
    try {
      const consumer = await watched.consume({ groupId: 'g', topics: ['b', 'a'], fromBeginning: true, onMessage: () => undefined });
      assert.deepEqual(watched.consumedGroups(), [{ groupId: 'g', topics: ['a', 'b'] }]);
      await consumer.stop();
      await consumer.stop();
      assert.deepEqual(watched.consumedGroups(), []);
    } finally {
      await watched.close();
    }
  });
});
