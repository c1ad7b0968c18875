/**
 * Where a restart's time goes, on data that is already there (a DATA_DIR that bench:restart left
 * with KEEP_DATA_DIR=1, or any Logbook's): ROUNDS times, Logbook is started on it, timed from
 * the spawn to /healthz 200, its CPU time until then read from /proc/<pid>/stat (user + system:
 * a figure the machine's load barely changes), and killed with SIGKILL. Prints each round and
 * the median of every start-up phase the process logged ("start-up phases", startup-phases.ts).
 *
 *   DATA_DIR=/tmp/logbook-test-xxxx ROUNDS=5 npm run bench:restart-phases
 */
import { loadavg } from 'node:os';
import { startLogbook } from '../support/logbook-process';
import { printTable, processUsage } from './bench-stats';

const DATA_DIR = process.env.DATA_DIR;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** Also read the RSS this many seconds after healthy (the stored presence merged by then: see startAgentApi). */
const SETTLE_S = Number(process.env.SETTLE_S ?? 0);
const ENV: Record<string, string> = {
  HOST_DETAIL_INTERVAL_S: '604800',
  HOST_LABEL_INTERVAL_S: '604800',
  HOST_POLICY_INTERVAL_S: '604800',
  ...(process.env.AGENT_SNAPSHOT_INTERVAL_S ? { AGENT_SNAPSHOT_INTERVAL_S: process.env.AGENT_SNAPSHOT_INTERVAL_S } : {}),
};

interface Phase {
  phase: string;
  atMs: number;
  cpuMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then((res) => res.status === 200, () => false);
}

async function main(): Promise<void> {
  if (!DATA_DIR) throw new Error('DATA_DIR: the data directory to restart on');
  const rounds: Array<{ wallS: number; cpuS: number; rssMb: number; load: number; phases: Phase[] }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const load = loadavg()[0];
    const started = performance.now();
    const logbook = await startLogbook({ dataDir: DATA_DIR, env: ENV, waitUntil: 'listening' });
    while (!(await healthy(logbook.url))) await new Promise((done) => setTimeout(done, 10));
    const wallS = (performance.now() - started) / 1000;
    const { cpuSeconds: cpuS, rssMb } = processUsage(logbook.child.pid!);
    // The phases line is written right after the first healthy answer.
    let phases: Phase[] = [];
    for (let tries = 0; tries < 50 && phases.length === 0; tries++) {
      for (const line of logbook.output) {
        try {
          const entry = JSON.parse(line) as { msg?: string; phases?: Phase[] };
          if (entry.msg === 'start-up phases' && entry.phases) phases = entry.phases;
        } catch {
          // not a JSON line
        }
      }
      if (phases.length === 0) await new Promise((done) => setTimeout(done, 20));
    }
    const settledRss = SETTLE_S > 0 ? await new Promise<number>((done) => setTimeout(() => done(processUsage(logbook.child.pid!).rssMb), SETTLE_S * 1000)) : null;
    await logbook.kill();
    rounds.push({ wallS, cpuS, rssMb, load, phases });
    console.log(`round ${round + 1}: healthy after ${wallS.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU, RSS ${rssMb.toFixed(0)} MB when healthy${settledRss === null ? '' : `, ${settledRss.toFixed(0)} MB ${SETTLE_S} s later`} (load average ${load.toFixed(1)})`);
  }
  const names = rounds[0].phases.map((phase) => phase.phase);
  printTable(
    names.map((name) => {
      const of = (round: (typeof rounds)[number]) => round.phases.find((phase) => phase.phase === name);
      const at = rounds.map(of).filter((phase): phase is Phase => phase !== undefined);
      return { phase: name, 'at, wall (ms, median)': median(at.map((phase) => phase.atMs)).toFixed(0), 'at, CPU (ms, median)': median(at.map((phase) => phase.cpuMs)).toFixed(0) };
    }),
  );
  console.log(`\nmedian of ${ROUNDS}: ${median(rounds.map((round) => round.wallS)).toFixed(2)} s wall to /healthz 200 (spawn to answer), ${median(rounds.map((round) => round.cpuS)).toFixed(2)} s CPU of the process; load average ${rounds.map((round) => round.load.toFixed(1)).join(', ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
