/**
 * Measurement (not a test): the host simulator's own CPU and memory with many hosts.
 *
 * Starts the fake osquery server in this process and the simulator CLI as a child process, then
 * samples the child's CPU time and RSS from /proc. Midway, one live query goes to every host
 * (a campaign) so the figures include a burst of distributed writes.
 *
 *   npm run bench:host-simulator -- --hosts 10000 --seconds 60 --distributed-interval 10
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeOsqueryServer } from '../support/fake-osquery-server';
import { printTable, processUsage } from './bench-stats';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    'distributed-interval': { type: 'string', default: '10' },
  },
});
const hosts = Number(values.hosts);
const seconds = Number(values.seconds);
const interval = Number(values['distributed-interval']);
const sample = processUsage;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const server = await FakeOsqueryServer.start({
    enrollSecret: 'bench',
    record: false,
    config: {
      options: {},
      packs: { bench: { queries: { users: { query: 'SELECT username, uid FROM users', interval: 300 }, os: { query: 'SELECT * FROM os_version', interval: 600, snapshot: true } } } },
    },
  });
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '../../services/host-simulator/main.js'), '--url', server.url, '--enroll-secret', 'bench', '--hosts', String(hosts),
      '--distributed-interval', String(interval), '--logger-tls-period', '10', '--config-refresh', '60', '--enroll-rate', '2000', '--stats-interval', '10'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    process.stderr.write(`  simulator: ${chunk}`);
  });
  const started = Date.now();
  const read = () => server.counts.get('/api/v1/osquery/distributed/read') ?? 0;
  const writes = () => server.counts.get('/api/v1/osquery/distributed/write') ?? 0;
  while (!stdout.includes('hosts enrolled in')) {
    if (child.exitCode !== null) throw new Error('the simulator exited early');
    await sleep(100);
  }
  const rampSeconds = (Date.now() - started) / 1000;
  const rows: Array<Record<string, string | number>> = [];
  const windowSeconds = 10;
  let previous = sample(child.pid!);
  let previousReads = read();
  let previousAt = Date.now();
  let peakRss = previous.rssMb;
  let steadyCpu = 0;
  let steadyWindows = 0;
  for (let elapsed = 0; elapsed < seconds; elapsed += windowSeconds) {
    if (elapsed === Math.floor(seconds / 2 / windowSeconds) * windowSeconds) {
      server.queueForEveryHost({ queries: { fleet_distributed_query_1: 'SELECT pid, name, resident_size FROM processes', fleet_distributed_query_2: 'SELECT hostname, uuid FROM system_info' } });
    }
    await sleep(windowSeconds * 1000);
    const now = Date.now();
    const current = sample(child.pid!);
    const cpuPercent = ((current.cpuSeconds - previous.cpuSeconds) / ((now - previousAt) / 1000)) * 100;
    const readsPerSecond = (read() - previousReads) / ((now - previousAt) / 1000);
    peakRss = Math.max(peakRss, current.rssMb);
    steadyCpu += cpuPercent;
    steadyWindows++;
    rows.push({ window: `${elapsed}-${elapsed + windowSeconds}s`, 'check-ins/s': readsPerSecond, 'simulator cpu %': cpuPercent, 'simulator rss MB': current.rssMb, 'distributed writes': writes() });
    previous = current;
    previousReads = read();
    previousAt = now;
  }
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  await server.close();
  console.log(`\nhost simulator: ${hosts} hosts, distributed_interval ${interval} s, ramp-up (enroll + first config) ${rampSeconds.toFixed(1)} s`);
  printTable(rows);
  console.log(`mean simulator CPU ${(steadyCpu / steadyWindows).toFixed(1)} % of one core, peak RSS ${peakRss.toFixed(0)} MB, distributed writes ${writes()} (one live query to every host midway)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
