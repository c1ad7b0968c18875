/**
 * Issue 11: a seeded, reproducible fuzzer over every route and socket (black box, loopback).
 * Invariants: no answer ≥ 500 (but a storage-fault 503), no crash, every error in its route's
 * documented shape (see fuzz-oracle.ts); and no file descriptor left behind by bad upgrades.
 * FUZZ_SEED=<seed> reruns another seed; FUZZ_REQUESTS=<n> changes the count (at least 2,000).
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import type { FleetClient } from '../support/fleet-client';
import type { LogbookProcess } from '../support/logbook-process';
import type { FuzzContext } from './fuzz-case';
import { isAlive, openFds, startFuzzTarget } from './fuzz-fixture';
import { fuzzSeed } from './fuzz-generator';
import { failureTable } from './fuzz-report';
import { badUpgrades, runFuzz, type FuzzRun } from './fuzz-session';

const REQUESTS = Math.max(2_000, Number(process.env.FUZZ_REQUESTS ?? 2_400));
/** Lazily opened files (a log, a store's extra handle) may appear once: a small constant, not per upgrade. */
const FD_SLACK = 8;

describe('reliability: fuzzing every route and socket (black box)', function () {
  this.timeout(300_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let ctx: FuzzContext;
  let run: FuzzRun;

  before(async () => {
    ({ logbook, admin, ctx } = await startFuzzTarget());
  });
  // Bounded: a server that cannot stop within 15 s (e.g. holding sockets open) is killed.
  after(async () => {
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([logbook.stop().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000)))]);
    clearTimeout(timer);
    if (!stopped) {
      console.log('      logbook did not stop within 15 s of SIGTERM: killed');
      await logbook.kill();
    }
  });

  it(`answers ${REQUESTS} seeded requests without a 5xx, a crash or an error outside the documented shape`, async () => {
    const seed = fuzzSeed();
    console.log(`      fuzz seed: ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
    run = await runFuzz(logbook, ctx, { seed, total: REQUESTS });
    const { routes, mutations, pairs, byFamily } = run.coverage;
    console.log(`      ${run.cases.length} requests in ${(run.durationMs / 1000).toFixed(1)} s: ${routes} routes, ${mutations} mutations, ${pairs} route×mutation pairs; by family ${JSON.stringify(byFamily)}`);
    console.log(`      slowest: ${run.slowest.map(({ ms, c }) => `${Math.round(ms)} ms ${c.method} ${c.path.slice(0, 50)} (${c.mutation.slice(0, 30)})`).join('; ')}`);
    console.log(`      statuses: ${JSON.stringify(Object.fromEntries([...run.statuses.entries()].sort()))}`);
    assert.ok(run.cases.length >= 2_000 || run.crashed, `only ${run.cases.length} requests generated`);
    const problems: string[] = [];
    if (run.crashed) problems.push(`the server died during the run (after ${run.cases.length} requests): ${logbook.output.slice(-20).join('\n')}`);
    if (run.failures.length > 0) problems.push(failureTable(run.failures));
    assert.equal(problems.length, 0, `seed ${seed}:\n${problems.join('\n')}`);
  });

  it('is still alive and healthy afterwards', async () => {
    assert.ok(isAlive(logbook.child.pid!), 'the process is alive');
    assert.equal(logbook.child.exitCode, null);
    const health = await fetch(`${logbook.url}/healthz`);
    assert.equal(health.status, 200, await health.text());
    assert.equal((await admin.get('/api/v1/fleet/spec/queries')).status, 200, 'the admin token still works');
  });

  it('leaves no file descriptor behind after 1,000 bad upgrades', async () => {
    const pid = logbook.child.pid!;
    // Warm up first: whatever the server opens once (lazily) is opened now, not counted later.
    await badUpgrades(logbook.url, 60);
    const before = await eventually(async () => {
      const first = openFds(pid);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(openFds(pid), first, 'fd count settled');
      return first;
    }, 20_000);
    await badUpgrades(logbook.url, 1_000);
    assert.ok(isAlive(pid), 'alive after the upgrades');
    // Every client has disconnected: the server's sockets for them must all be closed.
    const after = await eventually(async () => {
      const now = openFds(pid);
      assert.ok(now <= before + FD_SLACK, `${now} fds open, ${before} before 1,000 bad upgrades (slack ${FD_SLACK})`);
      return now;
    }, 30_000, 200);
    console.log(`      fds: ${before} before, ${after} after 1,000 bad upgrades`);
  });
});
