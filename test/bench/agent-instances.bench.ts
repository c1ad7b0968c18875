/**
 * Check-ins with two agent API processes against one, on the embedded stores (one DATA_DIR shared
 * by the processes, as in the topology test): distributed/read requests per second with HOSTS
 * enrolled hosts and nothing pending. One process is driven by wrk -t2 -c64; then two processes
 * at once, each by its own wrk -t1 -c32 (the same 64 connections in all), and the sum reported as
 * a ratio to the one-process figure measured in the same run.
 *
 *   npm run bench:agent-instances        (HOSTS=5000, DURATION=15s)
 *
 * Needs wrk. On a machine with few cores shared with other work, two processes compete with wrk
 * and each other for the same cores: read the ratio with the core count printed next to it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { printTable } from './bench-stats';
import { parseWrk, wrkScript } from './checkins.bench';
import { enrollHosts } from './enroll-hosts';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 5_000);
const DURATION = process.env.DURATION ?? '15s';
const AGENT_MAIN = resolve(__dirname, '../../services/agent-api/main.js');

async function startAgentApi(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [AGENT_MAIN], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`agent API exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'agent API listening' && entry.port) done(entry.port);
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

function wrkAsync(url: string, script: string, threads: number, connections: number): Promise<{ rps: number; non2xx: number }> {
  return new Promise((done, fail) =>
    execFile('wrk', [`-t${threads}`, `-c${connections}`, `-d${DURATION}`, '-s', script, url], { encoding: 'utf8' }, (error, stdout) => (error ? fail(error) : done(parseWrk(stdout)))),
  );
}

async function main(): Promise<void> {
  const env = { HOST_DETAIL_INTERVAL_S: '604800', HOST_LABEL_INTERVAL_S: '604800', HOST_POLICY_INTERVAL_S: '604800' };
  const logbook = await startLogbook({ env });
  const agents: ChildProcess[] = [];
  try {
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: 'bench-secret' }] } });
    const client = new KeepAliveClient(logbook.url, '');
    const keys = await enrollHosts(client, { hosts: HOSTS, secret: 'bench-secret' });
    client.close();
    const keysFile = join(tmpdir(), `logbook-agent-instances-keys-${process.pid}.txt`);
    writeFileSync(keysFile, keys.join('\n') + '\n');
    const script = wrkScript(keysFile);
    const first = await startAgentApi(logbook.dataDir);
    const second = await startAgentApi(logbook.dataDir);
    agents.push(first.child, second.child);
    const one = await wrkAsync(first.url, script, 2, 64);
    const [a, b] = await Promise.all([wrkAsync(first.url, script, 1, 32), wrkAsync(second.url, script, 1, 32)]);
    console.log(`\ncheck-ins (distributed/read, nothing pending), ${HOSTS} hosts, embedded stores on one DATA_DIR, ${DURATION} each, ${availableParallelism()} cores, node ${process.version}\n`);
    printTable([
      { setup: 'one agent API process (wrk -t2 -c64)', 'req/s': one.rps, 'non-2xx': one.non2xx, ratio: 1 },
      { setup: 'two agent API processes (wrk -t1 -c32 each, summed)', 'req/s': a.rps + b.rps, 'non-2xx': a.non2xx + b.non2xx, ratio: (a.rps + b.rps) / one.rps },
    ]);
  } finally {
    for (const agent of agents) agent.kill();
    await logbook.stop();
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
