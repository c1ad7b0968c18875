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
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { memoryBreakdown, printTable } from './bench-stats';
import { enrollHosts } from './enroll-hosts';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 10_000);
const DURATION = process.env.DURATION ?? '15s';
const SECRET = 'bench-secret';

function wrkScript(keysFile: string): string {
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
  const output = execFileSync('wrk', ['-t2', '-c64', `-d${DURATION}`, '-s', script, url], { encoding: 'utf8' });
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

/** What the memory probe in the process reports: heap used / held and external, before and after a full GC. */
async function probeHeap(pid: number, file: string): Promise<string> {
  process.kill(pid, 'SIGUSR2');
  for (let tries = 0; tries < 100 && !existsSync(file); tries++) await new Promise((done) => setTimeout(done, 100));
  const probe = JSON.parse(readFileSync(file, 'utf8')) as { before: Record<string, number>; afterGc: Record<string, number> };
  const line = (m: Record<string, number>) => `heap used ${m.heapUsed} of ${m.heapTotal} MB, external ${m.external} MB`;
  return `${line(probe.before)} / ${line(probe.afterGc)}`;
}

async function main(): Promise<void> {
  const probeFile = join(tmpdir(), `logbook-memory-probe-${process.pid}.json`);
  const logbook = await startLogbook({
    env: { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800', MEMORY_PROBE_FILE: probeFile },
    // The probe only answers SIGUSR2, sent after every RSS figure is read; --expose-gc only lets it collect first.
    nodeArgs: ['--expose-gc', '-r', resolve(__dirname, 'memory-probe.js')],
  });
  const bare = await startBareServer();
  const bareTls = await startBareServer({ certFile: join(logbook.dataDir, 'tls/server.pem'), keyFile: join(logbook.dataDir, 'tls/server-key.pem') });
  try {
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    const client = new KeepAliveClient(logbook.url, '');
    const enrollStarted = performance.now();
    const keys = await enrollHosts(client, { hosts: HOSTS, secret: SECRET });
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    client.close();
    const rss = memoryBreakdown(logbook.child.pid!);
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
    const after = memoryBreakdown(logbook.child.pid!);
    const split = (m: typeof rss) => `${m.anonMb.toFixed(0)} anonymous, ${m.fileMb.toFixed(0)} file-backed`;
    console.log(`RSS of the all-in-one process with ${HOSTS} hosts enrolled: ${rss.rssMb.toFixed(0)} MB (${split(rss)}); after the check-ins: ${after.rssMb.toFixed(0)} MB (${split(after)})`);
    console.log(`its heap (before / after a full GC, read after the figures above): ${await probeHeap(logbook.child.pid!, probeFile)}`);
  } finally {
    bare.stop();
    bareTls.stop();
    await logbook.stop();
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
