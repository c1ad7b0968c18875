/**
 * Spec applies per second through the HTTP API (durable, embedded stores; sequential and 32
 * concurrent clients) next to the raw append rate of the embedded event store measured in the
 * same run, plus GET-after-POST latency (from sending the apply to reading the new version back).
 *
 *   npm run bench:specs            (APPLIES=2000 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { SYSTEM_ACTOR } from '../../shared/eventsourcing/metadata';
import { runSuiteEnd } from '../support/teardown';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { printTable, runConcurrently, summarize } from './bench-stats';
import { KeepAliveClient } from './keep-alive-client';

const TOTAL = Number(process.env.APPLIES ?? 2_000);
const CONCURRENCY = 32;
const LATENCY_SAMPLES = Math.min(TOTAL, 1_000);

function querySpecEvent(index: number) {
  return {
    type: 'QuerySpecApplied',
    data: { kind: 'query', id: index + 1, version: 1, spec: { name: `q${index}`, description: '', query: 'SELECT 1' }, changes: [], builtin: false },
    metadata: { actor: SYSTEM_ACTOR, occurredAt: new Date().toISOString(), correlationId: `c${index}`, causationId: null },
  };
}

async function rawAppendRate(concurrency: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-bench-raw-'));
  const store = await openLmdbEventStore(join(dir, 'events'));
  try {
    const elapsed = await runConcurrently(TOTAL, concurrency, async (index) => {
      await store.append([{ streamId: `query-raw-${index}`, expected: 'no_stream', events: [querySpecEvent(index)] }]);
    });
    return (TOTAL / elapsed) * 1000;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function applyRate(admin: KeepAliveClient, concurrency: number, prefix: string): Promise<number> {
  const elapsed = await runConcurrently(TOTAL, concurrency, async (index) => {
    const res = await admin.send('POST', '/api/v1/fleet/spec/queries', { specs: [{ name: `${prefix}-${index % 200}`, query: `SELECT ${index}` }] });
    if (res.status !== 200) throw new Error(`apply failed: ${res.status}`);
  });
  return (TOTAL / elapsed) * 1000;
}

async function getAfterPostLatencies(admin: KeepAliveClient): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES; index++) {
    const query = `SELECT ${index} AS latency_probe`;
    const started = performance.now();
    await admin.send('POST', '/api/v1/fleet/spec/queries', { specs: [{ name: 'latency-probe', query }] });
    const read = await admin.send('GET', '/api/v1/fleet/spec/queries/latency-probe');
    samples.push(performance.now() - started);
    if (read.body.specs.query !== query) throw new Error('GET after POST did not show the write');
  }
  return samples;
}

async function main(): Promise<void> {
  const rawSequential = await rawAppendRate(1);
  const rawConcurrent = await rawAppendRate(CONCURRENCY);
  const logbook = await startLogbook();
  try {
    const admin = new KeepAliveClient(logbook.url, (await setUpAdmin(logbook.url)).token!);
    const sequential = await applyRate(admin, 1, 'seq');
    const concurrent = await applyRate(admin, CONCURRENCY, 'conc');
    const latency = summarize(await getAfterPostLatencies(admin));
    console.log(`\nspec applies, ${TOTAL} per run, node ${process.version}\n`);
    printTable([
      { clients: 1, 'raw append/s': rawSequential, 'applies/s': sequential, ratio: sequential / rawSequential },
      { clients: CONCURRENCY, 'raw append/s': rawConcurrent, 'applies/s': concurrent, ratio: concurrent / rawConcurrent },
    ]);
    admin.close();
    console.log(`\nGET-after-POST (${LATENCY_SAMPLES} samples): p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms`);
  } finally {
    await logbook.stop();
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
