/**
 * Operator reads at fleet scale (issue 13): the median and p99 of every host read over a started
 * Logbook holding HOSTS enrolled hosts, on the embedded store and on the MongoDB stand-in, and
 * the RSS of the process after.
 *
 *   npm run bench:fleet-reads                                  (HOSTS=100000, both stores)
 *   HOSTS=300000 STORES=embedded npm run bench:fleet-reads
 *   STORES=mongo MONGO_HOSTS=20000 npm run bench:fleet-reads   (the stand-in is in-memory Java)
 *
 * Seeding goes through the real agent API (enroll, then one distributed read and write that
 * answers every label query with a row, so every host is in All Hosts and the builtin labels,
 * and the two policies half passing), then waits for the projector and the presence flush; the
 * seeding time is reported. Each read runs SAMPLES times one after another after two warm-ups;
 * run_by_names creates a campaign on All Hosts each time, so it runs CAMPAIGN_SAMPLES times.
 */
import { setUpAdmin } from '../support/fleet-client';
import { mongoUrl } from '../support/mongo-stand-in';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { printTable, processUsage, runConcurrently, summarize } from './bench-stats';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 100_000);
const MONGO_HOSTS = Number(process.env.MONGO_HOSTS ?? HOSTS);
const STORES = (process.env.STORES ?? 'embedded,mongo').split(',');
const SAMPLES = Number(process.env.SAMPLES ?? 25);
const CAMPAIGN_SAMPLES = Number(process.env.CAMPAIGN_SAMPLES ?? 5);
const SECRET = 'bench-secret';
const PLATFORMS = ['darwin', 'ubuntu', 'centos', 'windows'];

interface Read {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  samples?: number;
}

async function enrollHosts(client: KeepAliveClient, hosts: number): Promise<void> {
  let done = 0;
  await runConcurrently(hosts, 32, async (index) => {
    const platform = PLATFORMS[index % PLATFORMS.length];
    const enrolled = await client.send('POST', '/api/v1/osquery/enroll', {
      enroll_secret: SECRET,
      host_identifier: `uuid-${index}`,
      host_details: {
        system_info: { hostname: `bench-${index}.example.com`, uuid: `uuid-${index}`, hardware_serial: `SN${index}` },
        os_version: { platform: [platform], name: 'OS', version: '1' },
        osquery_info: { version: '5.12.1' },
      },
    });
    if (enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    const nodeKey = enrolled.body.node_key as string;
    const read = await client.send('POST', '/api/v1/osquery/distributed/read', { node_key: nodeKey });
    const names = Object.keys(read.body.queries);
    const rows = (name: string) => (name.startsWith('fleet_label_query_') || (name.startsWith('fleet_policy_query_') && index % 2 === 0) ? [{ '1': '1' }] : []);
    const written = await client.send('POST', '/api/v1/osquery/distributed/write', {
      node_key: nodeKey,
      queries: Object.fromEntries(names.map((name) => [name, rows(name)])),
      statuses: Object.fromEntries(names.map((name) => [name, 0])),
      messages: {},
    });
    if (written.status !== 200) throw new Error(`write failed: ${written.status}`);
    if (++done % 20_000 === 0) process.stderr.write(`enrolled ${done}\n`);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function measure(client: KeepAliveClient, read: Read): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  const total = read.samples ?? SAMPLES;
  for (let i = -2; i < total; i += 1) {
    const started = performance.now();
    const answer = await client.send(read.method, `/api/v1/fleet${read.path}`, read.body);
    const elapsed = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${read.name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    if (i >= 0) samples.push(elapsed);
  }
  const { p50, p99 } = summarize(samples);
  return { p50, p99 };
}

async function benchStore(store: string, hosts: number): Promise<Array<Record<string, string | number>>> {
  const env: Record<string, string> = { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800', LOG_LEVEL: 'warn' };
  if (store === 'mongo') Object.assign(env, { MONGO_URL: await mongoUrl(), MONGO_DB: `logbook_fleet_reads_${process.pid}_${Date.now().toString(36)}` });
  const logbook: LogbookProcess = await startLogbook({ env });
  try {
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'recent osquery', query: 'SELECT 1;' }, { name: 'disk encrypted', query: 'SELECT 1;' }] });
    const client = new KeepAliveClient(logbook.url, admin.token!);
    const seedStarted = performance.now();
    await enrollHosts(new KeepAliveClient(logbook.url, ''), hosts);
    const enrollSeconds = (performance.now() - seedStarted) / 1000;
    const labels = (await admin.get('/api/v1/fleet/labels')).body.labels as Array<{ id: number; name: string }>;
    const allHosts = labels.find((label) => label.name === 'All Hosts')!.id;
    const count = async (query: string) => (await client.send('GET', `/api/v1/fleet/hosts/count?${query}`)).body.count as number;
    await waitFor('the projector', async () => (await count(`label_id=${allHosts}`)) === hosts);
    await waitFor('the presence flush', async () => (await count('status=online')) === hosts);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const middle = Math.floor(hosts / 2);
    const { id: someId } = (await client.send('GET', `/api/v1/fleet/hosts?query=bench-${middle}.example.com`)).body.hosts[0];
    const reads: Read[] = [
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
      const { p50, p99 } = await measure(client, read);
      rows.push({ store, hosts, read: read.name, 'median ms': p50.toFixed(1), 'p99 ms': p99.toFixed(1) });
    }
    const rss = processUsage(logbook.child.pid!).rssMb;
    console.log(`\n${store}: seeded ${hosts} hosts in ${seedSeconds.toFixed(0)} s (enrolling ${enrollSeconds.toFixed(0)} s, 32 concurrent, through the agent API; then the projector and the presence flush); RSS after the reads ${rss.toFixed(0)} MB`);
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
    printTable(rows);
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
