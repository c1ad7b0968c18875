/**
 * Results gateway throughput to one WebSocket watcher, in rows per second, next to raw kafkajs
 * consumption (parse each message's envelope and rows, count the rows) of the same messages in the
 * same run, through
 * a real Kafka broker (started from the test support unless KAFKA_BROKERS is set).
 *
 * Both sides read messages already stored in the topic, timed from their first to their last
 * message. The gateway is held back until its watcher is attached: a "gate" result of a campaign
 * that does not exist yet comes first in the partition, so the recorder waits for it; once the
 * watcher has selected the measured campaign, the gate campaign is created and recording runs at
 * full speed (record, relay, push to the watcher).
 *
 *   npm run bench:gateway          (RESULTS=20000 ROWS=10 by default)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { CAMPAIGN_RESULTS_TOPIC, ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import { RECORDED_RESULTS_TOPIC } from '../../services/results-gateway/recorded-results-topic';
import { kafkaBrokers } from '../support/kafka-broker';
import { answerMessage, campaignDoc, givenCampaign, givenUser, hostResult, startGatewayHarness } from '../support/results-gateway-harness';
import { runSuiteEnd } from '../support/teardown';
import { printTable } from './bench-stats';

const RESULTS = Number(process.env.RESULTS ?? 20_000);
const ROWS = Number(process.env.ROWS ?? 10);
const PRODUCE_CHUNK = Number(process.env.PRODUCE_CHUNK ?? 1_000);
const RAW_RUNS = 3;

async function rawKafkaRowsPerSecond(brokers: string[], campaignId: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [CAMPAIGN_RESULTS_TOPIC], fromBeginning: true });
  let first = 0;
  let last = 0;
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
          if (seen === 0) first = performance.now();
          seen += 1;
          rows += parsedRows.length;
          if (seen === RESULTS) {
            last = performance.now();
            resolve();
          }
        }
      },
    });
  });
  await done;
  await consumer.disconnect();
  return (rows / (last - first)) * 1000;
}

async function gatewayRowsPerSecond(brokers: string[], campaignId: number, gateCampaignId: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-bench-gateway-'));
  const readStore = await openLmdbReadStore(dir);
  const bus = await connectKafkaResultsBus({ brokers, clientId: 'bench-gateway' });
  const gateway = await startGatewayHarness({
    readStore,
    bus,
    config: { topicPartitions: 1, campaignWaitMs: 60_000, maxWatcherBufferBytes: 64 * 1_048_576 },
  });
  try {
    const token = await givenUser(gateway.readModels, 1, 'admin');
    const hosts = Array.from({ length: RESULTS }, (_, i) => i + 1);
    await givenCampaign(gateway.readModels, campaignDoc(campaignId, { target_host_ids: hosts }));
    const watcher = fork(join(__dirname, 'gateway-watcher-process.js'), [gateway.wsUrl, token, String(campaignId)]);
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
    await givenCampaign(gateway.readModels, campaignDoc(gateCampaignId, { target_host_ids: [1] })); // opens the gate
    const { rows, elapsedMs } = await next();
    const first = 0;
    const last = elapsedMs!;
    return (rows! / (last - first)) * 1000;
  } finally {
    await gateway.close();
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

  // The raw figure varies from run to run (fetch sizes, the broker's JIT): the best of three.
  let raw = 0;
  for (let run = 0; run < RAW_RUNS; run++) raw = Math.max(raw, await rawKafkaRowsPerSecond(brokers, campaignId));
  const gateway = await gatewayRowsPerSecond(brokers, campaignId, gateCampaignId);
  printTable([
    { path: `raw kafkajs consumer (parse envelope and rows, count rows), best of ${RAW_RUNS}`, 'rows/s': raw },
    { path: 'gateway → one WebSocket watcher', 'rows/s': gateway },
  ]);
  const ratio = gateway / raw;
  console.log(`ratio gateway / raw kafkajs: ${ratio.toFixed(2)} (target ≥ 0.70): ${ratio >= 0.7 ? 'met' : 'NOT met'}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runSuiteEnd().then(() => process.exit()));
