/**
 * Live query latency through a real Kafka broker: 10,000 simulated hosts, one campaign on All
 * Hosts, each host's `distributed/write` timed to its result frame at a raw WebSocket watcher.
 *
 * Processes: Kafka (started from the test support unless KAFKA_BROKERS is set), Logbook as a user
 * starts it (`KAFKA_BROKERS=… node dist/services/all-in-one/main.js`), the simulated hosts, and the
 * watcher, each in its own process, on this machine (one wall clock; times are
 * `performance.timeOrigin + performance.now()`, fractional ms).
 *
 * Path measured: host sends distributed/write → agent API produces to campaign-results → the
 * gateway's recorder consumes, stores the result durably, and pushes it to the watcher.
 * Results lost: hosts that sent an answer but whose result never reached the watcher (must be 0).
 *
 * Baseline in the same run: the same number of messages, produced one send each at the same pace
 * with a plain kafkajs producer (defaults, acks=all) and read by a plain kafkajs consumer: what Kafka alone
 * costs on this machine. It runs right after the campaign, while the simulated hosts still check
 * in, so that both figures are taken with the same processes competing for the CPU.
 *
 *   npm run bench:live-latency            (HOSTS=10000 by default)
 *
 * NICE_HOSTS=19 runs the simulated hosts under `nice`, so that on a small machine they take less
 * of the CPU that Logbook and Kafka share with them. LATENCY_TIMELINE=file writes
 * [sent at, latency ms] per result. LOGBOOK_NODE_ARGS passes node options to Logbook
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { kafkaBrokers } from '../support/kafka-broker';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { findProcess, percentile, printTable, processUsage } from './bench-stats';

const HOSTS = Number(process.env.HOSTS ?? 10_000);
const SECRET = 'latency-bench';
const ENROLL_TIMEOUT_MS = Number(process.env.ENROLL_TIMEOUT_MS ?? 300_000);
/** After the campaign starts: hosts check in every 10 s (±10 %), so all should answer well within this. */
const ANSWER_TIMEOUT_MS = Number(process.env.ANSWER_TIMEOUT_MS ?? 120_000);
const TARGET_P99_MS = 50;
const IDLE_SAMPLE_MS = 10_000;
const NICE_HOSTS = process.env.NICE_HOSTS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

/** The next message from a child that satisfies `accept`, or an error when it exits first or time runs out. */
function nextMessage<T>(child: ChildProcess, accept: (message: any) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const onMessage = (message: any) => {
      if (accept(message)) finish(undefined, message);
    };
    const onExit = (code: number | null) => finish(new Error(`${what}: the process exited (${code}) first`));
    function finish(error?: Error, message?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function hostsInLabel(admin: FleetClient, labelId: number): Promise<number> {
  let count = 0;
  for (let page = 0; ; page++) {
    const res = await admin.get(`/api/v1/fleet/labels/${labelId}/hosts?per_page=10000&page=${page}`);
    if (res.status !== 200) throw new Error(`label hosts: ${res.status} ${JSON.stringify(res.body)}`);
    count += res.body.hosts.length;
    if (res.body.hosts.length < 10_000) return count;
  }
}

function stats(samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

/** Plain kafkajs, same count and pace: one message per send (acks=all), latency to a consumer. */
async function rawKafkaLatencies(brokers: string[], count: number, spanMs: number): Promise<number[]> {
  const topic = `latency-baseline-${Date.now()}`;
  const kafka = new Kafka({ clientId: 'latency-baseline', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer(); // kafkajs defaults: several requests in flight
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const latencies: number[] = [];
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.FETCH, () => joined());
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      latencies.push(now() - Number(message.value!.toString()));
      if (latencies.length === count) done();
    },
  });
  await ready;
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = (i / count) * spanMs - (performance.now() - started);
    if (due > 1) await sleep(due);
    sends.push(producer.send({ topic, acks: -1, messages: [{ key: 'campaign', value: String(now()) }] }));
  }
  await Promise.all(sends);
  await Promise.race([all, sleep(60_000)]);
  await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  return latencies;
}

function cpuOf(pids: Record<string, number | undefined>): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) if (pid !== undefined) seconds[name] = processUsage(pid).cpuSeconds;
  return seconds;
}

/** "logbook 40%, …" (% of one core) between two readings of cpuOf, `seconds` apart. */
function cpuShares(before: Record<string, number>, after: Record<string, number>, seconds: number): string {
  const shares = Object.keys(after).map((name) => `${name} ${(((after[name] - before[name]) / seconds) * 100).toFixed(0)}%`);
  return `${shares.join(', ')} (% of one core, ${cpus().length} cores in all)`;
}

async function main(): Promise<void> {
  const brokers = await kafkaBrokers();
  const logbook = await startLogbook({
    env: { KAFKA_BROKERS: brokers.join(',') },
    nodeArgs: process.env.LOGBOOK_NODE_ARGS?.split(' ').filter(Boolean), // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  });
  const admin = await setUpAdmin(logbook.url);
  await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
  const allHosts = (await admin.get('/api/v1/fleet/spec/labels/All%20Hosts')).body.specs;
  const allHostsId: number = allHosts.id;

  const children: ChildProcess[] = [];
  try {
    const hostsArgs = [join(__dirname, 'latency-hosts-process.js'), logbook.url, SECRET, String(HOSTS)];
    const hosts = NICE_HOSTS
      ? spawn('nice', ['-n', NICE_HOSTS, process.execPath, ...hostsArgs], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : fork(hostsArgs[0], hostsArgs.slice(1));
    children.push(hosts);
    const enrollStarted = Date.now();
    await nextMessage(hosts, (message) => message.ready, ENROLL_TIMEOUT_MS, 'every host to enroll');
    console.log(`${HOSTS} hosts enrolled in ${((Date.now() - enrollStarted) / 1000).toFixed(1)} s`);
    for (let members = 0; members < HOSTS; ) {
      if (Date.now() - enrollStarted > ENROLL_TIMEOUT_MS) throw new Error(`only ${members} of ${HOSTS} hosts in All Hosts`);
      await sleep(2_000);
      members = await hostsInLabel(admin, allHostsId);
    }
    console.log(`all ${HOSTS} hosts in All Hosts after ${((Date.now() - enrollStarted) / 1000).toFixed(1)} s`);

    const processes = { logbook: logbook.child.pid!, 'simulated hosts': hosts.pid!, kafka: findProcess('kafka.Kafka') };
    const idleStart = cpuOf(processes);
    await sleep(IDLE_SAMPLE_MS);
    console.log(`CPU with hosts checking in, before the campaign: ${cpuShares(idleStart, cpuOf(processes), IDLE_SAMPLE_MS / 1000)}`);

    const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT hostname, uuid FROM system_info', selected: { labels: ['All Hosts'] } });
    if (run.status !== 200) throw new Error(`run_by_names: ${run.status} ${JSON.stringify(run.body)}`);
    const campaignId: number = run.body.campaign.id;
    const cpuAtStart = cpuOf(processes);
    const loadAtCampaign = loadavg()[0];
    const campaignStarted = performance.now();
    const watcher = fork(join(__dirname, 'latency-watcher-process.js'), [logbook.url.replace(/^http/, 'ws'), admin.token!, String(campaignId)]);
    children.push(watcher);
    const { atEpochMs: watchingSince } = await nextMessage<{ atEpochMs: number }>(watcher, (message) => message.ready, 30_000, 'the watcher to select the campaign');
    const report = await nextMessage<{ arrivals: Array<[string, number]>; finished: boolean; errors: string[] }>(
      watcher,
      (message) => message.arrivals !== undefined,
      ANSWER_TIMEOUT_MS,
      'the campaign to finish',
    ).catch(async (error: Error) => {
      console.error(`${error.message}; reading what the watcher got so far`);
      const partial = nextMessage<{ arrivals: Array<[string, number]>; finished: boolean; errors: string[] }>(watcher, (message) => message.arrivals !== undefined, 10_000, 'the watcher report');
      watcher.send({ report: true });
      return partial;
    });
    const cpuAtEnd = cpuOf(processes);
    const campaignSeconds = (performance.now() - campaignStarted) / 1000;
    hosts.send({ report: campaignId });
    const { writes, stats: simulatorStats } = await nextMessage<{ writes: Array<[string, number]>; stats: Record<string, number> }>(hosts, (message) => message.writes !== undefined, 30_000, 'the hosts report');

    const sentAt = new Map(writes);
    const arrivals = new Map<string, number>();
    let duplicates = 0;
    for (const [hostname, at] of report.arrivals) {
      if (arrivals.has(hostname)) duplicates += 1;
      else arrivals.set(hostname, at);
    }
    const lost = [...sentAt.keys()].filter((hostname) => !arrivals.has(hostname));
    const unexpected = [...arrivals.keys()].filter((hostname) => !sentAt.has(hostname));
    const latencies: number[] = [];
    /** [sent at, latency] of each timed result, written to $LATENCY_TIMELINE when set. */
    const timeline: Array<[number, number]> = [];
    let beforeWatching = 0;
    for (const [hostname, sent] of sentAt) {
      const arrived = arrivals.get(hostname);
      if (arrived === undefined) continue;
      if (sent < watchingSince) beforeWatching += 1; // replayed from the store on select: not a live latency
      else {
        latencies.push(arrived - sent);
        timeline.push([sent, arrived - sent]);
      }
    }
    if (process.env.LATENCY_TIMELINE) writeFileSync(process.env.LATENCY_TIMELINE, JSON.stringify(timeline.sort((a, b) => a[0] - b[0])));
    const sentTimes = [...sentAt.values()].sort((a, b) => a - b);
    const spanMs = sentTimes[sentTimes.length - 1] - sentTimes[0];

    // The baseline runs while the simulated hosts still check in (as they did during the
    // campaign), so that both figures are taken with the same processes competing for the CPU.
    const loadBeforeBaseline = loadavg()[0];
    const baseline = await rawKafkaLatencies(brokers, latencies.length, spanMs);
    hosts.send({ stop: true });

    console.log(`campaign ${campaignId}: ${run.body.campaign.Metrics.TotalHosts} hosts targeted, ${sentAt.size} answers sent over ${(spanMs / 1000).toFixed(1)} s, ` +
      `${arrivals.size} results at the watcher (finished: ${report.finished}), ${beforeWatching} answered before the watcher selected the campaign (not timed)`);
    console.log(`simulator: ${simulatorStats.httpErrors} HTTP errors, ${simulatorStats.distributedWrites} distributed writes in all`);
    console.log(`CPU during the campaign: ${cpuShares(cpuAtStart, cpuAtEnd, campaignSeconds)}`);
    console.log(`load average (1 min): at the campaign's start ${loadAtCampaign.toFixed(2)}, at the baseline's start ${loadBeforeBaseline.toFixed(2)}, at the end ${loadavg()[0].toFixed(2)}`);
    if (report.errors.length > 0) console.log(`watcher errors: ${report.errors.join('; ')}`);
    printTable([
      { path: 'Logbook: distributed/write → WebSocket frame', samples: latencies.length, ...stats(latencies) },
      { path: 'baseline: kafkajs send → kafkajs consumer', samples: baseline.length, ...stats(baseline) },
    ]);
    const p99 = stats(latencies).p99;
    console.log(`results lost: ${lost.length}${lost.length > 0 ? ` (e.g. ${lost.slice(0, 5).join(', ')})` : ''}; duplicates: ${duplicates}; results from hosts with no answer sent: ${unexpected.length}`);
    console.log(`p99 ${p99.toFixed(1)} ms (target ≤ ${TARGET_P99_MS} ms): ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}; ` +
      `p99 / baseline p99: ${(p99 / stats(baseline).p99).toFixed(2)}; results lost ${lost.length} (target 0): ${lost.length === 0 ? 'met' : 'NOT met'}`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await logbook.stop();
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runSuiteEnd().then(() => process.exit()));
