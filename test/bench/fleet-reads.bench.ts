/**
 * Operator reads at fleet scale (issue 13): the median and p99 of every host read over a started
 * Logbook holding HOSTS enrolled hosts, on the embedded store and on the MongoDB stand-in, and
 * the RSS of the process after.
 *
 *   npm run bench:fleet-reads                                  (HOSTS=100000, both stores)
 *   HOSTS=300000 STORES=embedded npm run bench:fleet-reads
 *   STORES=mongo MONGO_HOSTS=20000 npm run bench:fleet-reads   (the stand-in is in-memory Java)
 *   READS=status,run_by_names ...                               (only the reads whose name contains one)
 *   LOGBOOK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" ...  (profiles the measured Logbook)
 *
 * Seeding: a first start sets up the admin, two policies and a long check-in interval; with
 * Logbook stopped, each host's HostEnrolled, HostLabelsChanged (All Hosts and its platform's
 * label) and HostPolicyResultsChanged (half passing) are appended to the event store as the agent
 * API records them, and its presence (seen now) written to the read store; Logbook is started
 * again and the projector builds the read models. The seeding time is reported. GET /version is
 * the baseline measured in the same run (the machine is shared). Each read runs SAMPLES times one after another after two warm-ups;
 * run_by_names creates a campaign on All Hosts each time, so it runs CAMPAIGN_SAMPLES times (25 too,
 * for a stable median). Beside the wall times, the CPU the Logbook process used per read (user +
 * system from /proc over the samples, 10 ms ticks, so a mean; it includes any background work of
 * that moment, e.g. an agent view snapshot).
 */
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { connectMongoReadStore } from '../../shared/adapters/read-store/mongo-read-store';
import { HOST_ENROLLED, HOST_LABELS_CHANGED, HOST_POLICY_RESULTS_CHANGED, hostStreamId } from '../../shared/domain/hosts/host-events';
import type { StreamWrite } from '../../shared/ports/event-store';
import type { ReadStore } from '../../shared/ports/read-store';
import { HOST_PRESENCE } from '../../shared/read-models/read-model-types';
import { setUpAdmin } from '../support/fleet-client';
import { mongoUrl } from '../support/mongo-stand-in';
import { newDataDir, startLogbook, type LogbookProcess } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { printTable, processUsage, summarize } from './bench-stats';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 100_000);
const MONGO_HOSTS = Number(process.env.MONGO_HOSTS ?? HOSTS);
const STORES = (process.env.STORES ?? 'embedded,mongo').split(',');
const SAMPLES = Number(process.env.SAMPLES ?? 25);
const CAMPAIGN_SAMPLES = Number(process.env.CAMPAIGN_SAMPLES ?? 25);
const SEED_BATCH = 1_000;
/** Only the reads whose name contains one of these (comma-separated; all without). */
const ONLY = (process.env.READS ?? '').split(',').filter((part) => part !== '');
/** Node options for the measured Logbook process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_ARGS = (process.env.LOGBOOK_NODE_ARGS ?? '').split(' ').filter((part) => part !== '');
/** The fleet's check-in interval: long enough that the seeded hosts stay online through the run. */
const CHECK_IN_S = 7_200;
const PLATFORMS = ['darwin', 'ubuntu', 'centos', 'windows'];
const PLATFORM_LABELS: Record<string, string> = { darwin: 'macOS', ubuntu: 'Ubuntu Linux', centos: 'CentOS Linux', windows: 'MS Windows' };

interface Read {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  samples?: number;
}

/**
 * Appends each host's enrollment, label membership (All Hosts and its platform's label) and
 * policy results (half passing) to the stopped Logbook's event store, as the agent API would have,
 * and its presence (seen now, checking in every CHECK_IN_S) to the read store.
 */
async function seedHosts(dataDir: string, readStore: ReadStore, hosts: number, labels: Map<string, number>, policies: number[]): Promise<void> {
  const events = await openLmdbEventStore(join(dataDir, 'events'));
  const presence = readStore.collection(HOST_PRESENCE);
  const now = Date.now();
  const metadata = (i: number) => ({ actor: { type: 'host' as const, id: `uuid-${i}` }, occurredAt: new Date(now).toISOString(), correlationId: `seed-${i}`, causationId: null });
  try {
    for (let first = 0; first < hosts; first += SEED_BATCH) {
      const writes: StreamWrite[] = [];
      const seen: Array<{ op: 'put'; id: string; doc: Record<string, unknown> }> = [];
      for (let i = first; i < Math.min(hosts, first + SEED_BATCH); i += 1) {
        const id = i + 1;
        const platform = PLATFORMS[i % PLATFORMS.length];
        const facts = { hostname: `bench-${i}.example.com`, uuid: `uuid-${i}`, hardware_serial: `SN${i}`, platform, os_version: 'OS 1', osquery_version: '5.12.1', primary_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
        const labelIds = [labels.get('All Hosts')!, ...(PLATFORM_LABELS[platform] ? [labels.get(PLATFORM_LABELS[platform])!] : [])];
        writes.push({
          streamId: hostStreamId(`uuid-${i}`),
          expected: 'no_stream',
          events: [
            { type: HOST_ENROLLED, data: { id, host_identifier: `uuid-${i}`, node_key_hash: `seed-${i}`, team_id: null, facts }, metadata: metadata(i) },
            { type: HOST_LABELS_CHANGED, data: { added: labelIds, removed: [] }, metadata: metadata(i) },
            { type: HOST_POLICY_RESULTS_CHANGED, data: { results: Object.fromEntries(policies.map((policy) => [String(policy), i % 2 === 0])) }, metadata: metadata(i) },
          ],
        });
        const at = new Date(now - (i % 60_000)).toISOString(); // seen within the last minute, as checking-in hosts are
        seen.push({ op: 'put', id: String(id), doc: { host_id: id, seen_time: at, check_in_interval_s: CHECK_IN_S, details_at: now, labels_at: now, policies_at: now } });
      }
      await events.append(writes);
      await presence.bulk(seen);
      if ((first + SEED_BATCH) % 50_000 === 0) process.stderr.write(`seeded ${first + SEED_BATCH}\n`);
    }
  } finally {
    await events.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function measure(client: KeepAliveClient, read: Read, pid: number): Promise<{ p50: number; p99: number; cpuMs: number }> {
  const samples: number[] = [];
  const total = read.samples ?? SAMPLES;
  let cpuAtStart = 0;
  for (let i = -2; i < total; i += 1) {
    if (i === 0) cpuAtStart = processUsage(pid).cpuSeconds;
    const started = performance.now();
    const answer = await client.send(read.method, `/api/v1/fleet${read.path}`, read.body);
    const elapsed = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${read.name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    if (i >= 0) samples.push(elapsed);
  }
  const cpuMs = ((processUsage(pid).cpuSeconds - cpuAtStart) * 1000) / total;
  const { p50, p99 } = summarize(samples);
  return { p50, p99, cpuMs };
}

async function openBenchReadStore(store: string, dataDir: string, env: Record<string, string>): Promise<ReadStore> {
  return store === 'mongo' ? connectMongoReadStore(env.MONGO_URL, env.MONGO_DB) : openLmdbReadStore(join(dataDir, 'read-models'));
}

async function benchStore(store: string, hosts: number): Promise<Array<Record<string, string | number>>> {
  const env: Record<string, string> = { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800' };
  if (store === 'mongo') Object.assign(env, { MONGO_URL: await mongoUrl(), MONGO_DB: `logbook_fleet_reads_${process.pid}_${Date.now().toString(36)}` });
  const dataDir = newDataDir();
  // A first start sets up the admin, the builtin labels, two policies and the check-in interval.
  const first = await startLogbook({ env, dataDir });
  const admin = await setUpAdmin(first.url);
  await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'recent osquery', query: 'SELECT 1;' }, { name: 'disk encrypted', query: 'SELECT 1;' }] });
  const agentOptions = { config: { options: { distributed_interval: CHECK_IN_S }, decorators: { load: [] } } };
  const patched = await admin.request('PATCH', '/api/v1/fleet/config', { agent_options: agentOptions });
  if (patched.status !== 200) throw new Error(`PATCH /config: ${patched.status} ${JSON.stringify(patched.body)}`);
  const labelSpecs = (await admin.get('/api/v1/fleet/spec/labels')).body.specs as Array<{ id: number; name: string }>;
  const labels = new Map(labelSpecs.map((label) => [label.name, label.id]));
  const policies = ((await admin.get('/api/v1/fleet/policies')).body.policies as Array<{ id: number }>).map((policy) => policy.id);
  await first.stop();

  const seedStarted = performance.now();
  const readStore = await openBenchReadStore(store, dataDir, env);
  try {
    await seedHosts(dataDir, readStore, hosts, labels, policies);
  } finally {
    await readStore.close();
  }
  const appendSeconds = (performance.now() - seedStarted) / 1000;
  // Not healthy until the projector has caught up: the reads below wait for it themselves.
  const logbook: LogbookProcess = await startLogbook({ env, dataDir, waitUntil: 'listening', nodeArgs: NODE_ARGS });
  try {
    const client = new KeepAliveClient(logbook.url, admin.token!);
    const allHosts = labels.get('All Hosts')!;
    const count = async (query: string) => (await client.send('GET', `/api/v1/fleet/hosts/count?${query}`).catch(() => ({ body: null })))?.body?.count as number | undefined;
    await waitFor('the projector', async () => (await count(`label_id=${allHosts}`)) === hosts);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const online = await count('status=online');
    if (online !== hosts) throw new Error(`${online} of ${hosts} hosts online`);
    const middle = Math.floor(hosts / 2);
    const { id: someId } = (await client.send('GET', `/api/v1/fleet/hosts?query=bench-${middle}.example.com`)).body.hosts[0];
    const reads: Read[] = [
      { name: 'GET /version (baseline: no host read)', method: 'GET', path: '/version' },
      { name: 'GET /hosts?per_page=100', method: 'GET', path: '/hosts?per_page=100' },
      { name: 'GET /hosts?page=500&per_page=100', method: 'GET', path: '/hosts?page=500&per_page=100' },
      { name: 'GET /hosts?query=<hostname>', method: 'GET', path: `/hosts?query=bench-${middle}.example.com` },
      { name: 'GET /hosts?query=bench-1 (prefix of 11,111)', method: 'GET', path: '/hosts?query=bench-1&per_page=100' },
      { name: 'GET /hosts?status=online', method: 'GET', path: '/hosts?status=online&per_page=100' },
      { name: 'GET /hosts?platform=ubuntu&order_key=hostname&order_direction=desc', method: 'GET', path: '/hosts?platform=ubuntu&order_key=hostname&order_direction=desc&per_page=100' },
      { name: 'GET /hosts?order_key=display_name&page=300', method: 'GET', path: '/hosts?order_key=display_name&page=300&per_page=100' },
      { name: 'GET /hosts/{id}', method: 'GET', path: `/hosts/${someId}` },
      { name: 'GET /hosts/identifier/{uuid}', method: 'GET', path: `/hosts/identifier/uuid-${middle}` },
      { name: 'GET /labels/{All Hosts}/hosts', method: 'GET', path: `/labels/${allHosts}/hosts?per_page=100` },
      { name: 'GET /hosts/count', method: 'GET', path: '/hosts/count' },
      { name: 'GET /hosts/count?status=online', method: 'GET', path: '/hosts/count?status=online' },
      { name: 'GET /host_summary', method: 'GET', path: '/host_summary' },
      { name: 'GET /policies (counts)', method: 'GET', path: '/policies' },
      { name: 'POST /targets (All Hosts selected)', method: 'POST', path: '/targets', body: { query: 'bench-1', selected: { labels: [allHosts] } } },
      { name: 'POST /queries/run_by_names (All Hosts)', method: 'POST', path: '/queries/run_by_names', body: { query: 'SELECT 1;', selected: { labels: ['All Hosts'] } }, samples: CAMPAIGN_SAMPLES },
    ];
    const rows: Array<Record<string, string | number>> = [];
    for (const read of reads) {
      if (ONLY.length > 0 && !ONLY.some((part) => read.name.includes(part))) continue;
      const { p50, p99, cpuMs } = await measure(client, read, logbook.child.pid!);
      rows.push({ store, hosts, read: read.name, 'median ms': p50.toFixed(1), 'p99 ms': p99.toFixed(1), 'CPU ms/read': cpuMs.toFixed(1) });
    }
    const rss = processUsage(logbook.child.pid!).rssMb;
    console.log(`\n${store}: seeded ${hosts} hosts in ${seedSeconds.toFixed(0)} s (appending their ${hosts * 3} events and presence ${appendSeconds.toFixed(0)} s, then the projector until every host is in All Hosts); RSS after the reads ${rss.toFixed(0)} MB`);
    client.close();
    return rows;
  } finally {
    await logbook.stop();
  }
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const store of STORES) rows.push(...(await benchStore(store, store === 'mongo' ? MONGO_HOSTS : HOSTS)));
  } finally {
    console.log(`\nfleet reads, ${SAMPLES} samples each (run_by_names ${CAMPAIGN_SAMPLES}), one at a time, node ${process.version}\n`);
    if (rows.length > 0) printTable(rows);
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
