import assert from 'node:assert/strict';
import { backoffDelayMs, DEFAULT_BACKOFF, retryStartup, StartupUnreachableError } from '../../shared/service/startup-retry';

const TARGET = { what: 'MongoDB', variable: 'MONGO_URL', pointsAt: 'mongodb://mongo:27017' };

/** A clock that only moves when the retry sleeps. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)), slept };
}

describe('startup retry policy', () => {
  it('backs off exponentially with jitter, capped', () => {
    const top = (attempt: number) => backoffDelayMs(attempt, DEFAULT_BACKOFF, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 10].map(top), [250, 500, 1000, 2000, 4000, 5000, 5000]);
    assert.equal(backoffDelayMs(3, DEFAULT_BACKOFF, () => 0), 100, 'never below a tenth of the ceiling');
  });

  it('retries until the connect succeeds, logging each failure with the variable and where it points', async () => {
    const time = fakeTime();
    const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
    let tries = 0;
    const value = await retryStartup(TARGET, async () => {
      if (++tries < 4) throw new Error('connect ECONNREFUSED');
      return 'connected';
    }, { budgetMs: 60_000, ...time, random: () => 1, log: { warn: (fields, message) => logged.push({ fields: fields as Record<string, unknown>, message }) } });
    assert.equal(value, 'connected');
    assert.equal(tries, 4);
    assert.deepEqual(time.slept, [250, 500, 1000]);
    assert.equal(logged.length, 3);
    assert.deepEqual(logged.map((entry) => [entry.fields.variable, entry.fields.pointsAt, entry.fields.attempt]), [1, 2, 3].map((n) => ['MONGO_URL', 'mongodb://mongo:27017', n]));
    assert.match(logged[0].message, /^cannot reach MongoDB \(MONGO_URL=mongodb:\/\/mongo:27017\); retrying$/);
  });

  it('gives up when the next pause would end past the budget, with the last error and the variable', async () => {
    const time = fakeTime();
    const messages: string[] = [];
    let tries = 0;
    const failing = retryStartup(TARGET, async () => {
      tries++;
      throw new Error(`refused ${tries}`);
    }, { budgetMs: 2_000, ...time, random: () => 1, log: { warn: (_fields, message) => messages.push(message) } });
    await assert.rejects(failing, (error: unknown) => {
      assert.ok(error instanceof StartupUnreachableError);
      assert.equal(error.attempts, 4);
      assert.match(error.message, /^cannot reach MongoDB at MONGO_URL=mongodb:\/\/mongo:27017 after 4 attempts: refused 4$/);
      return true;
    });
    assert.deepEqual(time.slept, [250, 500, 1000], 'slept 1750 ms of 2000; the next 2000 ms pause would overrun');
    assert.match(messages[messages.length - 1], /giving up$/);
  });

  it('tries once with no budget', async () => {
    const time = fakeTime();
    let tries = 0;
    await assert.rejects(retryStartup(TARGET, async () => {
      tries++;
      throw new Error('down');
    }, { budgetMs: 0, ...time }), StartupUnreachableError);
    assert.equal(tries, 1);
    assert.deepEqual(time.slept, []);
  });
});
