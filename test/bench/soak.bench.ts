/**
 * Soak (issue 11): the fuzzer with many more requests, many bad upgrades, and more kill -9 apply
 * storms, printing figures: requests, 5xx, other failures, crashes, fds, applies lost, RSS
 * before/after. Not part of the test suite: `npm run bench:soak`.
 *
 *   SOAK_REQUESTS (20000)  fuzzed requests        FUZZ_SEED (logbook-fuzz-1)
 *   SOAK_UPGRADES (5000)   bad upgrades           SOAK_STORMS (10) storms of SOAK_APPLIES (800) applies
 *   SOAK_BURST (1920)      concurrent applies of one spec
 * Exits 1 when an invariant broke (5xx, crash, leaked fds, lost applies), after printing figures.
 */
import { FleetClient, createUser, setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { concurrentApplies, newAcknowledged, storm, verifyStorms } from '../reliability/apply-storm';
import { isAlive, openFds, startFuzzTarget } from '../reliability/fuzz-fixture';
import { fuzzSeed } from '../reliability/fuzz-generator';
import { failureTable } from '../reliability/fuzz-report';
import { badUpgrades, runFuzz } from '../reliability/fuzz-session';
import { processUsage } from './bench-stats';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const REQUESTS = num('SOAK_REQUESTS', 20_000);
const UPGRADES = num('SOAK_UPGRADES', 5_000);
const STORMS = num('SOAK_STORMS', 10);
const APPLIES = num('SOAK_APPLIES', 800);
const BURST = num('SOAK_BURST', 1_920);
const CLIENTS = 4;
const FD_SLACK = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const figures: Array<[string, string | number]> = [];
let broken = false;
const record = (name: string, value: string | number, ok = true) => {
  figures.push([name, value]);
  if (!ok) broken = true;
};

async function soakFuzz(): Promise<void> {
  const { logbook, ctx } = await startFuzzTarget();
  const pid = logbook.child.pid!;
  const rssBefore = processUsage(pid).rssMb;
  const seed = fuzzSeed();
  const run = await runFuzz(logbook, ctx, { seed, total: REQUESTS });
  const fiveXx = run.failures.filter((f) => /^5\d\d/.test(f.reason)).length;
  record('fuzz seed', seed);
  record('fuzz requests', run.cases.length);
  record('fuzz time (s)', (run.durationMs / 1000).toFixed(1));
  record('fuzz route×mutation pairs', run.coverage.pairs);
  record('fuzz 5xx', fiveXx, fiveXx === 0);
  record('fuzz other failures', run.failures.length - fiveXx, run.failures.length === fiveXx);
  record('crashes', run.crashed || !isAlive(pid) ? 1 : 0, !run.crashed && isAlive(pid));
  if (run.failures.length > 0) console.log(failureTable(run.failures, 60));
  await badUpgrades(logbook.url, 60);
  await sleep(500);
  const fdsBefore = openFds(pid);
  await badUpgrades(logbook.url, UPGRADES);
  let fdsAfter = openFds(pid);
  for (let waited = 0; fdsAfter > fdsBefore + FD_SLACK && waited < 30_000; waited += 500) {
    await sleep(500);
    fdsAfter = openFds(pid);
  }
  record(`fds before / after ${UPGRADES} bad upgrades`, `${fdsBefore} / ${fdsAfter}`, fdsAfter <= fdsBefore + FD_SLACK);
  const health = await fetch(`${logbook.url}/healthz`).then((res) => res.status, () => 0);
  record('healthz after', health, health === 200);
  record('fuzz server RSS before / after (MB)', `${rssBefore.toFixed(0)} / ${processUsage(pid).rssMb.toFixed(0)}`);
  await logbook.kill();
}

async function soakStorms(): Promise<void> {
  let logbook = await startLogbook();
  const admin = await setUpAdmin(logbook.url);
  const tokens = [admin.token!];
  while (tokens.length < CLIENTS) tokens.push((await createUser(admin, tokens.length % 2 ? 'maintainer' : 'admin')).token!);
  const rssBefore = processUsage(logbook.child.pid!).rssMb;
  const ack = newAcknowledged();
  const started = Date.now();
  for (let round = 0; round < STORMS; round++) {
    const killAfter = Math.floor(APPLIES * (0.5 + 0.4 * ((round * 7) % 10) / 10));
    logbook = await storm(logbook, tokens, { round, perClient: APPLIES / CLIENTS, concurrency: 4, killAfter }, ack);
  }
  const client = new FleetClient(logbook.url, tokens[0]);
  let lost: string[] = [];
  try {
    lost = (await verifyStorms(client, ack)).lost;
  } catch (error) {
    lost = [String(error)];
  }
  record(`storms × applies`, `${STORMS} × ${APPLIES} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  record('applies acknowledged / cut off', `${ack.distinct.size + ack.contended.size} / ${ack.unanswered}`);
  record('applies lost', lost.length, lost.length === 0);
  if (lost.length > 0) console.log(lost.slice(0, 20).join('\n'));
  try {
    await concurrentApplies(tokens.map((token) => new FleetClient(logbook.url, token)), 'soak-burst', BURST);
    record(`${BURST} concurrent applies of one spec`, `${BURST} versions`);
  } catch (error) {
    record(`${BURST} concurrent applies of one spec`, String(error).slice(0, 200), false);
  }
  record('storm server RSS first start / end (MB)', `${rssBefore.toFixed(0)} / ${processUsage(logbook.child.pid!).rssMb.toFixed(0)}`);
  await logbook.kill();
}

async function main(): Promise<void> {
  try {
    await soakFuzz();
    await soakStorms();
  } finally {
    await runSuiteEnd();
  }
  const width = Math.max(...figures.map(([name]) => name.length));
  console.log('\nsoak figures');
  for (const [name, value] of figures) console.log(`  ${name.padEnd(width)}  ${value}`);
  process.exitCode = broken ? 1 : 0;
}

void main();
