/**
 * Check-ins: distributed/read requests per second with N enrolled hosts and nothing pending,
 * next to a bare node:http server that parses the same body and answers a same-size body, both
 * driven by wrk (2 threads, 64 connections, keep-alive) in the same run; then the same over
 * HTTPS: Logbook's TLS_PORT next to a bare node:https server with the same certificate (the one
 * Logbook made under DATA_DIR/tls). And the RSS of the all-in-one process with those hosts enrolled.
 *
 *   npm run bench:checkins                 (HOSTS=10000, DURATION=15s)
 *   HOSTS=100000 npm run bench:checkins    (the memory figure with 100,000 hosts)
 *
 * Needs wrk (Debian: apt-get install wrk).
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { printTable, processUsage, runConcurrently } from './bench-stats';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 10_000);
const DURATION = process.env.DURATION ?? '15s';
const SECRET = 'bench-secret';

/** Enrolls the hosts and answers what each is asked at first, so nothing is pending after. */
export async function enrollHosts(client: KeepAliveClient, hosts = HOSTS): Promise<string[]> {
  const keys: string[] = new Array(hosts);
  let done = 0;
  await runConcurrently(hosts, 32, async (index) => {
    const hostname = `bench-${index}`;
    const enrolled = await client.send('POST', '/api/v1/osquery/enroll', {
      enroll_secret: SECRET,
      host_identifier: `uuid-${index}`,
      host_details: { system_info: { hostname, uuid: `uuid-${index}` }, os_version: { platform: ['darwin', 'ubuntu', 'centos', 'windows'][index % 4], name: 'OS', version: '1' }, osquery_info: { version: '5.12.1' } },
    });
    if (enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    const nodeKey = enrolled.body.node_key as string;
    const read = await client.send('POST', '/api/v1/osquery/distributed/read', { node_key: nodeKey });
    const names = Object.keys(read.body.queries);
    const written = await client.send('POST', '/api/v1/osquery/distributed/write', {
      node_key: nodeKey,
      queries: Object.fromEntries(names.map((name) => [name, []])),
      statuses: Object.fromEntries(names.map((name) => [name, 0])),
      messages: {},
    });
    if (written.status !== 200) throw new Error(`write failed: ${written.status}`);
    keys[index] = nodeKey;
    if (++done % 10_000 === 0) process.stderr.write(`enrolled ${done}\n`);
  });
  return keys;
}

export function wrkScript(keysFile: string): string {
  const script = join(tmpdir(), `logbook-checkins-${process.pid}.lua`);
  writeFileSync(
    script,
    `local keys = {}
for line in io.lines("${keysFile}") do keys[#keys + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  return wrk.format(nil, "/api/v1/osquery/distributed/read", nil, '{"node_key":"' .. keys[(i % #keys) + 1] .. '"}')
end
`,
  );
  return script;
}

function wrk(url: string, script: string): { rps: number; non2xx: number } {
  return parseWrk(execFileSync('wrk', ['-t2', '-c64', `-d${DURATION}`, '-s', script, url], { encoding: 'utf8' }));
}

export function parseWrk(output: string): { rps: number; non2xx: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  return { rps, non2xx };
}

/** The bare baseline; with a certificate and key file, over https. */
async function startBareServer(tls?: { certFile: string; keyFile: string }): Promise<{ url: string; stop(): void }> {
  const args = [resolve(__dirname, 'bare-checkin-server.js'), ...(tls ? [tls.certFile, tls.keyFile] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function main(): Promise<void> {
  const logbook = await startLogbook({ env: { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800' } });
  const bare = await startBareServer();
  const bareTls = await startBareServer({ certFile: join(logbook.dataDir, 'tls/server.pem'), keyFile: join(logbook.dataDir, 'tls/server-key.pem') });
  try {
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    const client = new KeepAliveClient(logbook.url, '');
    const enrollStarted = performance.now();
    const keys = await enrollHosts(client);
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    client.close();
    const rss = processUsage(logbook.child.pid!).rssMb;
    const keysFile = join(tmpdir(), `logbook-checkin-keys-${process.pid}.txt`);
    writeFileSync(keysFile, keys.join('\n') + '\n');
    const script = wrkScript(keysFile);
    const baseline = wrk(bare.url, script);
    const ours = wrk(logbook.url, script);
    const baselineTls = wrk(bareTls.url, script);
    const oursTls = wrk(logbook.tlsUrl!, script);
    console.log(`\ncheck-ins (distributed/read, nothing pending), ${HOSTS} enrolled hosts, wrk -t2 -c64 -d${DURATION} (keep-alive), node ${process.version}\n`);
    printTable([
      { server: 'bare node:http (parse body, same-size answer)', 'req/s': baseline.rps, 'non-2xx': baseline.non2xx, ratio: 1 },
      { server: 'Logbook distributed/read, HTTP', 'req/s': ours.rps, 'non-2xx': ours.non2xx, ratio: ours.rps / baseline.rps },
      { server: 'bare node:https, same certificate (ECDSA P-256)', 'req/s': baselineTls.rps, 'non-2xx': baselineTls.non2xx, ratio: 1 },
      { server: 'Logbook distributed/read, HTTPS (TLS_PORT)', 'req/s': oursTls.rps, 'non-2xx': oursTls.non2xx, ratio: oursTls.rps / baselineTls.rps },
    ]);
    console.log(`\nenrolled ${HOSTS} hosts in ${enrollSeconds.toFixed(1)} s (${(HOSTS / enrollSeconds).toFixed(0)}/s, 32 concurrent, each with its first read and write)`);
    console.log(`RSS of the all-in-one process with ${HOSTS} hosts enrolled: ${rss.toFixed(0)} MB (after the check-ins: ${processUsage(logbook.child.pid!).rssMb.toFixed(0)} MB)`);
  } finally {
    bare.stop();
    bareTls.stop();
    await logbook.stop();
    await runSuiteEnd();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
