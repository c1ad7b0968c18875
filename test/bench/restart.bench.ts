/**
 * Restart time after kill -9: Logbook with HOSTS enrolled (over HTTP, as the check-in bench
 * enrolls them), killed with SIGKILL, started again on the same DATA_DIR; timed from the spawn
 * to /healthz answering 200, and to a check-in (distributed/read) of a host answering 200. Then
 * the log is made LOG_FACTOR times longer (host facts changes, the events hosts produce most, on
 * every host's stream, appended straight into the stopped embedded event store), Logbook started
 * and left to catch up (projector, agent view and its next snapshot), killed again, and the
 * restart timed again. Before each kill, TAIL_HOSTS more hosts enroll after the last snapshot,
 * so each restart also replays a tail of the log; after each restart a sample of hosts and every
 * tail host must check in. Each restart is followed by one of the same data with snapshots off
 * (AGENT_SNAPSHOT_INTERVAL_S=0: the view rebuilt from the whole log, as before snapshots), the
 * baseline of the same run.
 *
 *   npm run bench:restart                          (HOSTS=100000, LOG_FACTOR=10, TAIL_HOSTS=1000)
 *   HOSTS=2000 TAIL_HOSTS=200 AGENT_SNAPSHOT_INTERVAL_S=3 npm run bench:restart   (a quick run)
 * KEEP_DATA_DIR=1 leaves the data directory (its path is printed) to start Logbook on again.
 */
import assert from 'node:assert/strict';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { HOST_FACTS_CHANGED, hostStreamId } from '../../shared/domain/hosts/host-events';
import { START } from '../../shared/ports/event-store';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { join } from 'node:path';
import { memoryBreakdown, printTable, processUsage } from './bench-stats';
import { enrollHosts } from './enroll-hosts';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 100_000);
const LOG_FACTOR = Number(process.env.LOG_FACTOR ?? 10);
const TAIL_HOSTS = Number(process.env.TAIL_HOSTS ?? 1_000);
const SAMPLE = 2_000;
const SECRET = 'bench-secret';
const ENV: Record<string, string> = {
  HOST_DETAIL_INTERVAL_S: '604800',
  HOST_LABEL_INTERVAL_S: '604800',
  HOST_POLICY_INTERVAL_S: '604800',
  // The default (60 s) unless the run says otherwise (a small run: a few seconds).
  ...(process.env.AGENT_SNAPSHOT_INTERVAL_S ? { AGENT_SNAPSHOT_INTERVAL_S: process.env.AGENT_SNAPSHOT_INTERVAL_S } : {}),
};
/** The baseline of the same run: the agent view rebuilt from the whole log, as before snapshots. */
const SNAPSHOTS_OFF: Record<string, string> = { ...ENV, AGENT_SNAPSHOT_INTERVAL_S: '0' };

interface LogLine {
  msg?: string;
  hosts?: number;
  position?: number;
  ms?: number;
  tailEvents?: number;
}

function logLines(logbook: LogbookProcess, msg: string): LogLine[] {
  return logbook.output.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as LogLine;
      return entry.msg === msg ? [entry] : [];
    } catch {
      return [];
    }
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then((res) => res.status === 200, () => false);
}

/** Waits until the agent view has written a snapshot covering at least `position` of the log. */
async function snapshotAt(logbook: LogbookProcess, position: number, timeoutMs: number): Promise<void> {
  await until(`a snapshot at position ${position}`, () => logLines(logbook, 'agent view snapshot written').some((line) => (line.position ?? START) >= position), timeoutMs);
}

async function checkIn(client: KeepAliveClient, nodeKey: string): Promise<number> {
  return (await client.send('POST', '/api/v1/osquery/distributed/read', { node_key: nodeKey })).status;
}

interface Restart {
  toListeningS: number;
  toHealthyS: number;
  /** CPU time (user + system) of the restarted process until then: what the machine's load barely changes. */
  cpuToHealthyS: number;
  toCheckInS: number;
  snapshotLoad: string;
  tailEvents: number;
  rssMb: number;
}

/** kill -9, start again on the same data, time it; then every tail host and a sample check in. */
async function killAndRestart(logbook: LogbookProcess, keys: string[], tailKeys: string[], env = ENV): Promise<{ logbook: LogbookProcess; restart: Restart }> {
  await logbook.kill();
  const started = performance.now();
  const next = await startLogbook({ dataDir: logbook.dataDir, env, waitUntil: 'listening' });
  const toListeningS = (performance.now() - started) / 1000;
  await until('/healthz 200', () => healthy(next.url), 600_000, 10);
  const toHealthyS = (performance.now() - started) / 1000;
  const cpuToHealthyS = processUsage(next.child.pid!).cpuSeconds;
  const client = new KeepAliveClient(next.url, '');
  assert.equal(await checkIn(client, keys[0]), 200);
  const toCheckInS = (performance.now() - started) / 1000;
  const sample = Array.from({ length: Math.min(SAMPLE, keys.length) }, (_, i) => keys[Math.floor((i * keys.length) / SAMPLE)]);
  for (const key of [...sample, ...tailKeys]) assert.equal(await checkIn(client, key), 200, 'every host is served after the restart');
  client.close();
  const loaded = logLines(next, 'agent view loaded from its snapshot')[0];
  const snapshotLoad = loaded ? `${loaded.hosts} hosts in ${loaded.ms} ms` : 'none: built from the log';
  const tailEvents = logLines(next, 'agent API ready')[0]?.tailEvents ?? NaN;
  return { logbook: next, restart: { toListeningS, toHealthyS, cpuToHealthyS, toCheckInS, snapshotLoad, tailEvents, rssMb: memoryBreakdown(next.child.pid!).rssMb } };
}

/** Appends `count` host facts changes, spread over the hosts' streams, into the stopped store. */
async function lengthenLog(dataDir: string, count: number): Promise<number> {
  const store = await openLmdbEventStore(join(dataDir, 'events'));
  try {
    const BATCH = 5_000;
    for (let written = 0; written < count; written += BATCH) {
      const occurredAt = new Date().toISOString();
      const writes = Array.from({ length: Math.min(BATCH, count - written) }, (_, i) => {
        const n = written + i;
        const host = n % HOSTS;
        return {
          streamId: hostStreamId(`uuid-${host}`),
          expected: 'any' as const,
          events: [
            {
              type: HOST_FACTS_CHANGED,
              data: { facts: { primary_ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` } },
              metadata: { actor: { type: 'host' as const, id: `uuid-${host}`, name: `bench-${host}` }, occurredAt, correlationId: `lengthen-${n}`, causationId: null },
            },
          ],
        };
      });
      await store.append(writes);
      if (written % 200_000 === 0) process.stderr.write(`appended ${written} of ${count}\n`);
    }
    return store.headPosition();
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  let logbook = await startLogbook({ env: ENV });
  const admin = await setUpAdmin(logbook.url);
  await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
  let client = new KeepAliveClient(logbook.url, '');
  const enrollStarted = performance.now();
  const keys = await enrollHosts(client, { hosts: HOSTS, secret: SECRET });
  const enrollS = (performance.now() - enrollStarted) / 1000;
  client.close();
  // Snapshots are written as the schedule has them (view-snapshots.ts): the kill comes whenever,
  // and the restart replays what the log holds after the last one.
  await snapshotAt(logbook, 0, 300_000);
  client = new KeepAliveClient(logbook.url, '');
  const tail1 = await enrollHosts(client, { hosts: TAIL_HOSTS, secret: SECRET, first: HOSTS });
  client.close();
  const first = await killAndRestart(logbook, keys, tail1);
  // The baseline of the same run: the same data started without its snapshot (the whole log replayed).
  const firstOff = await killAndRestart(first.logbook, keys, tail1, SNAPSHOTS_OFF);
  logbook = firstOff.logbook;
  await logbook.stop();

  const probe = await openLmdbEventStore(join(logbook.dataDir, 'events'));
  const logLength = (await probe.headPosition()) - START;
  await probe.close();
  const added = logLength * (LOG_FACTOR - 1);
  const lengthenStarted = performance.now();
  const head = await lengthenLog(logbook.dataDir, added);
  const lengthenS = (performance.now() - lengthenStarted) / 1000;
  const catchUpStarted = performance.now();
  logbook = await startLogbook({ dataDir: logbook.dataDir, env: ENV, waitUntil: 'listening' });
  await until('the projector to catch up with the longer log', () => healthy(logbook.url), 3_600_000, 1_000);
  await snapshotAt(logbook, head, 300_000);
  const catchUpS = (performance.now() - catchUpStarted) / 1000;
  client = new KeepAliveClient(logbook.url, '');
  const tail2 = await enrollHosts(client, { hosts: TAIL_HOSTS, secret: SECRET, first: HOSTS + TAIL_HOSTS });
  client.close();
  const second = await killAndRestart(logbook, [...keys, ...tail1], tail2);
  const secondOff = await killAndRestart(second.logbook, [...keys, ...tail1], tail2, SNAPSHOTS_OFF);
  logbook = secondOff.logbook;

  console.log(`\nrestart after kill -9, ${HOSTS} hosts enrolled over HTTP in ${enrollS.toFixed(0)} s, +${TAIL_HOSTS} after the last snapshot before each kill; node ${process.version}\n`);
  const row = (name: string, events: number, restart: Restart) => ({
    log: name,
    events,
    'to listening (s)': restart.toListeningS.toFixed(2),
    'to /healthz 200 (s)': restart.toHealthyS.toFixed(2),
    'CPU until then (s)': restart.cpuToHealthyS.toFixed(2),
    'to a check-in 200 (s)': restart.toCheckInS.toFixed(2),
    'RSS after (MB)': restart.rssMb.toFixed(0),
    'snapshot loaded': restart.snapshotLoad,
    'tail replayed (events)': restart.tailEvents,
  });
  printTable([
    row('as enrolled', logLength, first.restart),
    row(`${LOG_FACTOR}x longer`, head - START, second.restart),
    row('as enrolled, snapshots off', logLength, firstOff.restart),
    row(`${LOG_FACTOR}x longer, snapshots off`, head - START, secondOff.restart),
  ]);
  const ratio = (a: Restart, b: Restart) => (a.toHealthyS / b.toHealthyS).toFixed(2);
  console.log(`\nratio of the times to healthy, longer log / as enrolled: ${ratio(second.restart, first.restart)} (snapshots off: ${ratio(secondOff.restart, firstOff.restart)})`);
  console.log(`(lengthening the log by ${added} events took ${lengthenS.toFixed(0)} s; the start that caught up with it ${catchUpS.toFixed(0)} s)`);
  await logbook.stop();
  if (process.env.KEEP_DATA_DIR) console.log(`data left in ${logbook.dataDir}`);
  else await runSuiteEnd();
}

main().catch(async (error) => {
  console.error(error);
  await runSuiteEnd();
  process.exit(1);
});
