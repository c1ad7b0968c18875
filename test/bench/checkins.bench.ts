/**
 * Check-ins: distributed/read requests per second with N enrolled hosts and nothing pending,
 * next to a bare node:http server that parses the same body and answers a same-size body, both
 * driven by wrk (2 threads, 64 connections, keep-alive, the same script) in the same run; then
 * the same over HTTPS: Logbook's TLS_PORT next to a bare node:https server with the same
 * certificate (the one Logbook made under DATA_DIR/tls). And the RSS of the all-in-one process
 * with those hosts enrolled.
 *
 * Fairness on a shared, noisy machine: every server is warmed up first (one short wrk run each),
 * then ROUNDS rounds each run bare and Logbook back to back, in alternating order, and take the
 * ratio within the round; the table gives the median of each column and every round's ratio.
 * It also gives the CPU time (user + system, from /proc) each server's process spent per request
 * answered, and the CPU ratio (bare's over Logbook's): the throughput ratio moves with whatever
 * else the machine runs, the CPU per request much less.
 *
 *   npm run bench:checkins                 (HOSTS=10000, ROUNDS=3, DURATION=5s a run)
 *   HOSTS=100000 npm run bench:checkins    (the memory figure with 100,000 hosts)
 *   MEMORY_LIMIT_MB=512 HOSTS=100000 npm run bench:checkins   (Logbook in a 512 MB memory cgroup
 *     from its start: the box the figure claims, enforced; see memory-limit.ts; needs root)
 *   LOGBOOK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:checkins   (profile Logbook)
 *
 * Needs wrk (Debian: apt-get install wrk).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { memoryBreakdown, printTable, processUsage } from './bench-stats';
import { enrollHosts } from './enroll-hosts';
import { KeepAliveClient } from './keep-alive-client';
import { startWithMemoryLimit, type MemoryLimit } from './memory-limit';

const HOSTS = Number(process.env.HOSTS ?? 10_000);
const DURATION = process.env.DURATION ?? '5s';
/** Rounds of the four wrk runs; a ratio is taken within each round, and the median reported. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECRET = 'bench-secret';
/** Logbook runs in a memory cgroup of this many MB (unset: no limit). */
const MEMORY_LIMIT_MB = process.env.MEMORY_LIMIT_MB ? Number(process.env.MEMORY_LIMIT_MB) : undefined;

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

interface Run {
  rps: number;
  non2xx: number;
  /** CPU time (user + system) the server process spent per request answered, in µs. */
  cpuUs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** wrk against `server`; with the CPU the server's process spent on it. */
function wrk(server: { url: string; pid: number }, script: string, duration = DURATION): Run {
  const cpuBefore = processUsage(server.pid).cpuSeconds;
  const output = execFileSync('wrk', ['-t2', '-c64', `-d${duration}`, '-s', script, server.url], { encoding: 'utf8' });
  const cpuSeconds = processUsage(server.pid).cpuSeconds - cpuBefore;
  const { rps, non2xx, requests } = parseWrk(output);
  return { rps, non2xx, cpuUs: (cpuSeconds * 1e6) / requests };
}

export function parseWrk(output: string): { rps: number; non2xx: number; requests: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  return { rps, non2xx, requests };
}

/** The bare baseline; with a certificate and key file, over https. */
async function startBareServer(tls?: { certFile: string; keyFile: string }): Promise<{ url: string; pid: number; stop(): void }> {
  const args = [resolve(__dirname, 'bare-checkin-server.js'), ...(tls ? [tls.certFile, tls.keyFile] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill() };
}

/** What the memory probe in the process reports: heap used / held and external, before and after a full GC. */
async function probeHeap(pid: number, file: string): Promise<string> {
  process.kill(pid, 'SIGUSR2');
  for (let tries = 0; tries < 100 && !existsSync(file); tries++) await new Promise((done) => setTimeout(done, 100));
  const probe = JSON.parse(readFileSync(file, 'utf8')) as { before: Record<string, number>; afterGc: Record<string, number> };
  const line = (m: Record<string, number>) => `heap used ${m.heapUsed} of ${m.heapTotal} MB, external ${m.external} MB`;
  return `${line(probe.before)} / ${line(probe.afterGc)}`;
}

const loadAverage = () => loadavg().map((load) => load.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const probeFile = join(tmpdir(), `logbook-memory-probe-${process.pid}.json`);
  const start = () =>
    startLogbook({
      env: { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800', MEMORY_PROBE_FILE: probeFile },
      // The probe only answers SIGUSR2, sent after every RSS figure is read; --expose-gc only lets it collect first.
      nodeArgs: ['--expose-gc', '-r', resolve(__dirname, 'memory-probe.js'), ...(process.env.LOGBOOK_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [])],
    });
  let limit: MemoryLimit | undefined;
  let logbook: Awaited<ReturnType<typeof start>>;
  if (MEMORY_LIMIT_MB === undefined) logbook = await start();
  else ({ started: logbook, limit } = await startWithMemoryLimit(MEMORY_LIMIT_MB, start));
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
    const pairs = [
      { name: 'HTTP', bare, ours: { url: logbook.url, pid: logbook.child.pid! }, bareLabel: 'bare node:http (parse body, same-size answer)' },
      { name: 'HTTPS', bare: bareTls, ours: { url: logbook.tlsUrl!, pid: logbook.child.pid! }, bareLabel: 'bare node:https, same certificate (ECDSA P-256)' },
    ];
    for (const pair of pairs) for (const server of [pair.bare, pair.ours]) wrk(server, script, '2s'); // warm-up
    const rounds = pairs.map(() => [] as Array<{ bare: Run; ours: Run }>);
    for (let round = 0; round < ROUNDS; round++) {
      pairs.forEach((pair, index) => {
        const bareFirst = round % 2 === 0;
        const first = wrk(bareFirst ? pair.bare : pair.ours, script);
        const second = wrk(bareFirst ? pair.ours : pair.bare, script);
        rounds[index].push(bareFirst ? { bare: first, ours: second } : { bare: second, ours: first });
      });
    }
    console.log(`\ncheck-ins (distributed/read, nothing pending), ${HOSTS} enrolled hosts, wrk -t2 -c64 -d${DURATION} (keep-alive) x ${ROUNDS} rounds, medians, node ${process.version}`);
    console.log(`load average (1, 5, 15 min) at the start: ${loadAtStart}; after the runs: ${loadAverage()}\n`);
    printTable(
      pairs.flatMap((pair, index) => {
        const runs = rounds[index];
        const ratios = runs.map((run) => run.ours.rps / run.bare.rps);
        const cpuRatios = runs.map((run) => run.bare.cpuUs / run.ours.cpuUs);
        return [
          {
            server: pair.bareLabel,
            'req/s': median(runs.map((run) => run.bare.rps)),
            'non-2xx': sum(runs.map((run) => run.bare.non2xx)),
            ratio: 1,
            'rounds (ratio)': '',
            'CPU µs/req': median(runs.map((run) => run.bare.cpuUs)),
            'CPU ratio': 1,
          },
          {
            server: `Logbook distributed/read, ${pair.name}${pair.name === 'HTTPS' ? ' (TLS_PORT)' : ''}`,
            'req/s': median(runs.map((run) => run.ours.rps)),
            'non-2xx': sum(runs.map((run) => run.ours.non2xx)),
            ratio: median(ratios),
            'rounds (ratio)': ratios.map((ratio) => ratio.toFixed(2)).join(' '),
            'CPU µs/req': median(runs.map((run) => run.ours.cpuUs)),
            'CPU ratio': median(cpuRatios),
          },
        ];
      }),
    );
    console.log(`\nenrolled ${HOSTS} hosts in ${enrollSeconds.toFixed(1)} s (${(HOSTS / enrollSeconds).toFixed(0)}/s, 32 concurrent, each with its first read and write)`);
    const after = memoryBreakdown(logbook.child.pid!);
    const split = (m: typeof rss) => `${m.anonMb.toFixed(0)} anonymous, ${m.fileMb.toFixed(0)} file-backed`;
    console.log(`RSS of the all-in-one process with ${HOSTS} hosts enrolled: ${rss.rssMb.toFixed(0)} MB (${split(rss)}); after the check-ins: ${after.rssMb.toFixed(0)} MB (${split(after)})`);
    console.log(`its heap (before / after a full GC, read after the figures above): ${await probeHeap(logbook.child.pid!, probeFile)}`);
    if (limit) {
      const { limitHits, oomKills } = limit.pressure();
      const peak = limit.peakMb();
      console.log(
        `memory cgroup limit ${limit.limitMb} MB (anonymous memory and page cache charged to Logbook): ` +
          `now ${limit.usageMb().toFixed(0)} MB, peak ${peak === undefined ? 'not reported' : `${peak.toFixed(0)} MB`}, charges refused at the limit (failcnt) ${limitHits}, OOM kills ${oomKills}`,
      );
    }
  } finally {
    bare.stop();
    bareTls.stop();
    await logbook.stop();
    limit?.remove();
    await runSuiteEnd();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
