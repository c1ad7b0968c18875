/**
 * The agent view snapshot's own costs, without a server: HOSTS hosts enrolled into a view (as
 * HostEnrolled events from the log), a snapshot written, then loaded ROUNDS times into fresh
 * views; prints the write time, the size, and the median load time (wall and CPU of this process).
 *
 *   HOSTS=100000 ROUNDS=5 node dist/test/bench/snapshot-load.bench.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { HOST_ENROLLED } from '../../shared/domain/hosts/host-events';
import { START, type RecordedEvent } from '../../shared/ports/event-store';
import { ViewSnapshotStore } from '../../services/agent-api/view-snapshot-store';
import { restoreView } from '../../services/agent-api/view-snapshots';
import { ADMIN } from '../support/given-events';

const HOSTS = Number(process.env.HOSTS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const quiet = { info: () => undefined, warn: () => undefined };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-snapshot-bench-'));
  const log = await openLmdbEventStore(join(dir, 'events'));
  const bus = createInProcessResultsBus();
  try {
    const metadata = { actor: ADMIN, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null };
    await log.append([{ streamId: 'anything', expected: 'any', events: [{ type: 'Nothing', data: {}, metadata }] }]);
    const [covered] = await log.readAll(START, 1);
    const { view, live } = await restoreView(null, log, bus, quiet);
    for (let n = 1; n <= HOSTS; n++) {
      const platform = ['darwin', 'ubuntu', 'centos', 'windows'][n % 4];
      const event: RecordedEvent = {
        ...covered,
        streamId: `host-uuid-${n}`,
        revision: 0,
        type: HOST_ENROLLED,
        data: { id: n, host_identifier: `uuid-${n}`, node_key_hash: `${n}`.padStart(64, 'k'), team_id: null, facts: { hostname: `bench-${n}`, uuid: `uuid-${n}`, platform, os_version: 'OS 1', osquery_version: '5.12.1', computer_name: `bench-${n}` } },
      };
      view.apply(event);
    }
    view.resumeAfter(covered.position, covered.id);
    const store = new ViewSnapshotStore(join(dir, 'agent-view'));
    const writeStarted = performance.now();
    const written = await store.write(view, live);
    console.log(`${HOSTS} hosts: snapshot written in ${(performance.now() - writeStarted).toFixed(0)} ms, ${((written?.bytes ?? 0) / 1e6).toFixed(1)} MB`);
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [wall0, cpu0] = [performance.now(), cpuMs()];
      const restored = await restoreView(store, log, bus, quiet);
      if (restored.snapshotPosition === null || restored.view.hostCount !== HOSTS) throw new Error('the snapshot did not load');
      walls.push(performance.now() - wall0);
      cpus.push(cpuMs() - cpu0);
    }
    console.log(`load: median ${median(walls).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU (rounds: ${walls.map((ms) => ms.toFixed(0)).join(', ')})`);
  } finally {
    await log.close();
    await bus.close();
    if (process.env.KEEP_DATA_DIR) console.log(`data left in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main();
