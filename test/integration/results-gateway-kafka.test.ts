import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { CAMPAIGN_RESULTS_TOPIC } from '../../shared/campaigns/campaign-results-topic';
import type { ReadStore } from '../../shared/ports/read-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { RECORDED_RESULTS_TOPIC } from '../../services/results-gateway/recorded-results-topic';
import { eventually } from '../support/eventually';
import { kafkaBrokers } from '../support/kafka-broker';
import { campaignDoc, givenCampaign, givenUser, hostResult, produceResults, startGatewayHarness, type GatewayHarness, range } from '../support/results-gateway-harness';
import { onSuiteEnd } from '../support/teardown';
import { connectSocketIoWatcher, connectWebSocketWatcher, isFinished, resultHosts, type WatcherClient } from '../support/watcher-clients';

describe('results gateway: two instances side by side on one Kafka broker', function () {
  let brokers: string[];
  let readStore: ReadStore;
  const buses: ResultsBus[] = [];
  const gateways: GatewayHarness[] = [];
  const clients: WatcherClient[] = [];

  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    brokers = await kafkaBrokers();
    const dir = mkdtempSync(join(tmpdir(), 'logbook-gateway-kafka-'));
    readStore = await openLmdbReadStore(dir);
    onSuiteEnd(async () => readStore.close());
  });

  after(async function () {
    this.timeout(120_000);
    for (const client of clients) client.close();
    for (const gateway of gateways) await gateway.close();
    for (const bus of buses) await bus.close();
  });

  async function kafkaBus(clientId: string): Promise<ResultsBus> {
    const bus = await connectKafkaResultsBus({ brokers, clientId });
    buses.push(bus);
    return bus;
  }

  it('records each result once (shared recorder group) and streams every result to watchers on both instances, in order', async function () {
    this.timeout(180_000);
    const setup = await kafkaBus('gateway-test-setup');
    await setup.ensureTopics([CAMPAIGN_RESULTS_TOPIC, RECORDED_RESULTS_TOPIC], 4);
    for (const name of ['a', 'b']) {
      gateways.push(await startGatewayHarness({ readStore, bus: await kafkaBus(`gateway-test-${name}`), config: { topicPartitions: 4, peersPollMs: 100 } }));
    }
    // Each recorder relays only once it has seen the other instance (it looks every 100 ms).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [a, b] = gateways;
    const token = await givenUser(a.readModels, 1, 'admin');
    const campaignIds = [101, 102, 103, 104, 105, 106];
    const hosts = range(1, 60);
    for (const id of campaignIds) await givenCampaign(a.readModels, campaignDoc(id, { target_host_ids: hosts }));

    const watchers = new Map<number, WatcherClient[]>();
    for (const id of campaignIds) {
      const onA = await connectWebSocketWatcher(a.wsUrl);
      const onB = await connectSocketIoWatcher(b.url, token);
      onA.send('auth', { token });
      for (const client of [onA, onB]) client.send('select_campaign', { campaign_id: id });
      watchers.set(id, [onA, onB]);
      clients.push(onA, onB);
    }

    // Each campaign's hosts answer in its own order, with duplicates and an untargeted host.
    const orderOf = (id: number) => (id % 2 === 0 ? hosts : [...hosts].reverse());
    for (let i = 0; i < hosts.length; i += 15) {
      const messages = campaignIds.flatMap((id) => orderOf(id).slice(i, i + 15).map((host) => hostResult(id, host)));
      await produceResults(setup, [...messages, ...messages.slice(0, 5), hostResult(101, 999)]);
    }

    const results = readStoreResults(readStore);
    for (const id of campaignIds) {
      for (const client of watchers.get(id)!) {
        await client.waitFor(isFinished);
        assert.deepEqual(resultHosts(client.frames), orderOf(id), `campaign ${id}: every result once, in order`);
      }
      assert.equal(await results.recordedCount(id), hosts.length);
      const stored = await results.resultsAfter(id, 0);
      assert.deepEqual(stored.map((result) => result.seq), range(1, hosts.length));
    }

    // Both recorded a share of the partitions and relayed it to the other.
    const origins = new Set<string>();
    const reader = await setup.consume({ groupId: `relay-check-${Date.now()}`, topics: [RECORDED_RESULTS_TOPIC], fromBeginning: true, onMessage: (m) => void origins.add(m.headers.origin) });
    try {
      await eventually(async () => assert.equal(origins.size, 2, `relayed by both instances: ${[...origins].join(', ')}`), 10_000);
    } finally {
      await reader.stop();
    }
  });
});
