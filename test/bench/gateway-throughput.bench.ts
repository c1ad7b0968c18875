/**
 * Results gateway throughput to one WebSocket watcher, in rows per second, next to raw kafkajs
 * consumption (parse each message's envelope and rows, count the rows) of the same messages in the
 * same run, through a real Kafka broker (started from the test support unless KAFKA_BROKERS is set).
 *
 * Both sides read messages already stored in the topic, timed from their first to their last
 * message. The gateway is held back until its watcher is attached: a "gate" result of a campaign
 * that does not exist yet comes first in the partition, so the recorder waits for it; once the
 * watcher has selected the measured campaign, the gate campaign is created and recording runs at
 * full speed (record, relay, push to the watcher). Each gateway round starts from an empty read
 * store and a deleted recorder group, so it records the same messages again from the start.
 *
 * Fairness on a shared, noisy machine (as bench:checkins): a warm-up raw run, then ROUNDS rounds
 * that each run raw and gateway back to back, in alternating order; the ratio is taken within the
 * round and the median reported. Beside it the CPU time (user + system, of this process, every
 * thread: kafkajs, LMDB's writer, the socket) per row in each side's timed window, and its ratio
 * (raw's over the gateway's): the throughput ratio moves with whatever else the machine runs, the
 * CPU per row much less. Both consumers use kafkajs's default fetch sizes and a 100 ms max wait.
 * The watcher (its own process, parsing every frame) is not counted in the gateway's CPU.
 *
 *   npm run bench:gateway          (RESULTS=20000 ROWS=10 ROUNDS=3 by default)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/test/bench/gateway-throughput.bench.js   (profile: the gateway runs in this process)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { CAMPAIGN_RESULTS_TOPIC, ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import { RECORDED_RESULTS_TOPIC } from '../../services/results-gateway/recorded-results-topic';
import { RECORDER_GROUP } from '../../services/results-gateway/result-recorder';
import { kafkaBrokers } from '../support/kafka-broker';
import { answerMessage, campaignDoc, givenCampaign, givenUser, hostResult, startGatewayHarness } from '../support/results-gateway-harness';
import { runSuiteEnd } from '../support/teardown';
import { printTable } from './bench-stats';

const RESULTS = Number(process.env.RESULTS ?? 20_000);
const ROWS = Number(process.env.ROWS ?? 10);
const PRODUCE_CHUNK = Number(process.env.PRODUCE_CHUNK ?? 1_000);
/** Rounds of raw + gateway; a ratio is taken within each round, and the median reported. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Run {
  rowsPerSecond: number;
  /** CPU time (user + system) this process spent per row in the timed window, in µs. */
  cpuUsPerRow: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function rawKafka(brokers: string[], campaignId: number): Promise<Run> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [CAMPAIGN_RESULTS_TOPIC], fromBeginning: true });
  let first = 0;
  let last = 0;
  let cpuFirst = 0;
  let cpuLast = 0;
  let rows = 0;
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          // Messages as the agent API writes them: the envelope in a header, the rows' JSON as the value.
          const envelope = JSON.parse(String(message.headers![ENVELOPE_HEADER])) as { campaign_id: number };
          if (envelope.campaign_id !== campaignId) continue;
          const parsedRows = JSON.parse(message.value!.toString('utf8')) as unknown[];
          if (seen === 0) {
            first = performance.now();
            cpuFirst = cpuMicros();
          }
          seen += 1;
          rows += parsedRows.length;
          if (seen === RESULTS) {
            last = performance.now();
            cpuLast = cpuMicros();
            resolve();
          }
        }
      },
    });
  });
  await done;
  await consumer.disconnect();
  return { rowsPerSecond: (rows / (last - first)) * 1000, cpuUsPerRow: (cpuLast - cpuFirst) / rows };
}

/** Deletes the recorder's group (retrying while its last member is still leaving), so the next gateway reads from the start. */
async function forgetRecorderOffsets(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.deleteGroups([RECORDER_GROUP]);
        return;
      } catch (error) {
        const notFound = JSON.stringify((error as { groups?: unknown }).groups ?? '').includes('GROUP_ID_NOT_FOUND');
        if (notFound) return;
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function gateway(brokers: string[], campaignId: number, gateCampaignId: number): Promise<Run> {
  await forgetRecorderOffsets(brokers);
  const dir = mkdtempSync(join(tmpdir(), 'logbook-bench-gateway-'));
  const readStore = await openLmdbReadStore(dir);
  const bus = await connectKafkaResultsBus({ brokers, clientId: 'bench-gateway' });
  const harness = await startGatewayHarness({
    readStore,
    bus,
    // The gate message is as old as the produce: rounds after the first must still wait for it.
    config: { topicPartitions: 1, campaignWaitMs: 3_600_000, maxWatcherBufferBytes: 64 * 1_048_576 },
  });
  try {
    const token = await givenUser(harness.readModels, 1, 'admin');
    const hosts = Array.from({ length: RESULTS }, (_, i) => i + 1);
    await givenCampaign(harness.readModels, campaignDoc(campaignId, { target_host_ids: hosts }));
    const watcher = fork(join(__dirname, 'gateway-watcher-process.js'), [harness.wsUrl, token, String(campaignId)]);
    const messages: Array<{ ready?: boolean; rows?: number; elapsedMs?: number; error?: string }> = [];
    let wake: () => void = () => undefined;
    watcher.on('message', (message: any) => {
      messages.push(message);
      wake();
    });
    const next = async () => {
      while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = messages.shift()!;
      if (message.error) throw new Error(`watcher: ${message.error}`);
      return message;
    };
    await next(); // the watcher has selected the campaign
    const cpuBefore = cpuMicros();
    await givenCampaign(harness.readModels, campaignDoc(gateCampaignId, { target_host_ids: [1] })); // opens the gate
    const { rows, elapsedMs } = await next();
    const cpuAfter = cpuMicros();
    if (rows !== RESULTS * ROWS) throw new Error(`the watcher got ${rows} rows of ${RESULTS * ROWS}`);
    return { rowsPerSecond: (rows! / elapsedMs!) * 1000, cpuUsPerRow: (cpuAfter - cpuBefore) / rows! };
  } finally {
    await harness.close();
    await bus.close();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const brokers = await kafkaBrokers();
  const campaignId = Date.now() % 1_000_000_000;
  const gateCampaignId = campaignId + 1;
  const setup = await connectKafkaResultsBus({ brokers, clientId: 'bench-setup' });
  await setup.ensureTopics([CAMPAIGN_RESULTS_TOPIC, RECORDED_RESULTS_TOPIC], 1);
  const rows = Array.from({ length: ROWS }, (_, i) => ({ name: `process-${i}`, pid: String(1000 + i), path: `/usr/sbin/daemon-${i}` }));
  await setup.produce(CAMPAIGN_RESULTS_TOPIC, [answerMessage(hostResult(gateCampaignId, 1))]);
  for (let start = 0; start < RESULTS; start += PRODUCE_CHUNK) {
    const chunk = Array.from({ length: Math.min(PRODUCE_CHUNK, RESULTS - start) }, (_, i) => hostResult(campaignId, start + i + 1, rows));
    await setup.produce(CAMPAIGN_RESULTS_TOPIC, chunk.map((result) => answerMessage(result)));
  }
  await setup.close();
  console.log(`${RESULTS} results of ${ROWS} rows in topic ${CAMPAIGN_RESULTS_TOPIC} (one partition), broker ${brokers.join(',')}`);

  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(' ');
  await rawKafka(brokers, campaignId); // warm-up (the broker's page cache, kafkajs's JIT)
  const rounds: Array<{ raw: Run; gateway: Run }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rawFirst = round % 2 === 0;
    const first = rawFirst ? await rawKafka(brokers, campaignId) : await gateway(brokers, campaignId, gateCampaignId);
    const second = rawFirst ? await gateway(brokers, campaignId, gateCampaignId) : await rawKafka(brokers, campaignId);
    rounds.push(rawFirst ? { raw: first, gateway: second } : { raw: second, gateway: first });
  }
  const ratios = rounds.map((round) => round.gateway.rowsPerSecond / round.raw.rowsPerSecond);
  const cpuRatios = rounds.map((round) => round.raw.cpuUsPerRow / round.gateway.cpuUsPerRow);
  console.log(`${ROUNDS} rounds (raw and gateway back to back, alternating order), medians, node ${process.version}`);
  printTable([
    {
      path: 'raw kafkajs consumer (parse envelope and rows, count rows)',
      'rows/s': median(rounds.map((round) => round.raw.rowsPerSecond)),
      ratio: 1,
      'rounds (ratio)': '',
      'CPU µs/row': median(rounds.map((round) => round.raw.cpuUsPerRow)),
      'CPU ratio': 1,
    },
    {
      path: 'gateway → one WebSocket watcher',
      'rows/s': median(rounds.map((round) => round.gateway.rowsPerSecond)),
      ratio: median(ratios),
      'rounds (ratio)': ratios.map((ratio) => ratio.toFixed(2)).join(' '),
      'CPU µs/row': median(rounds.map((round) => round.gateway.cpuUsPerRow)),
      'CPU ratio': median(cpuRatios),
    },
  ]);
  const ratio = median(ratios);
  console.log(`load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log(`median ratio gateway / raw kafkajs: ${ratio.toFixed(2)} (target ≥ 0.70): ${ratio >= 0.7 ? 'met' : 'NOT met'}; CPU ratio (raw µs/row over the gateway's): ${median(cpuRatios).toFixed(2)}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runSuiteEnd().then(() => process.exit()));
