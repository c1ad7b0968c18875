/**
 * The agent view's coalesced catch-ups (services/agent-api/view-catch-up.ts): callers share one
 * catch-up, and a caller is only answered by one that started after it called.
 */
import assert from 'node:assert/strict';
import { ViewCatchUp } from '../../services/agent-api/view-catch-up';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('agent view catch-ups (coalesced)', function () {
  it('runs one catch-up for callers that arrive together, and one more for all that arrive while it runs', async () => {
    const runs: Array<{ resolve(): void }> = [];
    const catchUp = new ViewCatchUp(() => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    }, 0);
    const first = [catchUp.request(), catchUp.request(), catchUp.request()];
    await new Promise((done) => setImmediate(done));
    assert.equal(runs.length, 1);
    const settled: string[] = [];
    const second = [catchUp.request(), catchUp.request()].map((wait) => wait.then(() => settled.push('second')));
    void Promise.all(first).then(() => settled.push('first'));
    runs[0].resolve();
    await Promise.all(first);
    await new Promise((done) => setImmediate(done));
    assert.deepEqual(settled, ['first'], 'callers that came during the first run wait for a later one');
    assert.equal(runs.length, 2, 'one more run for all of them');
    runs[1].resolve();
    await Promise.all(second);
    assert.equal(catchUp.started, 2);
  });

  it('answers callers when a catch-up fails, and starts at most one per interval', async () => {
    let calls = 0;
    let now = 0;
    const catchUp = new ViewCatchUp(
      async () => {
        calls++;
        throw new Error('log unreadable');
      },
      50,
      () => now,
    );
    await catchUp.request();
    assert.equal(calls, 1);
    now = 10; // 40 ms before the next may start: it waits for the interval
    const waited = catchUp.request();
    assert.equal(calls, 1);
    await waited;
    assert.equal(calls, 2);
  });
});
