/**
 * The agent API over a results bus that fails for a while (in-process composition: the agent API
 * as its main starts it, on real embedded stores and a loopback HTTP server, with a bus that the
 * test can take down). A host whose campaign answer could not be produced got a 5xx; it is asked
 * that campaign's query again at its very next distributed/read, and its next answer goes through.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { CAMPAIGN_RESULTS_TOPIC, ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import { loadConfig } from '../../shared/config/config';
import { CAMPAIGN_CREATED, campaignStreamId, type CampaignCreated } from '../../shared/domain/campaigns/campaign-events';
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { listen, type Listening } from '../../shared/http/listen';
import { createLogger } from '../../shared/observability/logger';
import { createMetrics } from '../../shared/observability/metrics';
import type { EventStore, NewEvent } from '../../shared/ports/event-store';
import type { ReadStore } from '../../shared/ports/read-store';
import type { IncomingMessage, ResultsBus } from '../../shared/ports/results-bus';
import { startAgentApi, type AgentApi } from '../../services/agent-api';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { newDataDir } from '../support/logbook-process';

const SECRET = 'outage-secret';

/** The in-process bus, whose produce fails while `down` (as Kafka's does during an outage). */
function flakyBus(): ResultsBus & { down: boolean } {
  const bus = createInProcessResultsBus();
  const flaky: ResultsBus & { down: boolean } = {
    down: false,
    produce: (topic, messages) => (flaky.down ? Promise.reject(new Error('results bus unreachable (test outage)')) : bus.produce(topic, messages)),
    consume: (options) => bus.consume(options),
    ensureTopics: (names, partitions) => bus.ensureTopics(names, partitions),
    liveGroups: (prefix) => bus.liveGroups(prefix),
    consumerLag: (groupId, topics) => bus.consumerLag(groupId, topics),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
  return flaky;
}

function event<T>(type: string, data: T): NewEvent<T> {
  return { type, data, metadata: { actor: { type: 'system', id: 'test' }, occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null } };
}

describe('agent API: campaign answers during a results bus outage', function () {
  this.timeout(60_000);
  let store: EventStore;
  let readStore: ReadStore;
  let bus: ResultsBus & { down: boolean };
  let agent: AgentApi;
  let http: Listening;
  const produced: IncomingMessage[] = [];

  before(async () => {
    const dataDir = newDataDir();
    store = await openLmdbEventStore(join(dataDir, 'events'));
    readStore = await openLmdbReadStore(join(dataDir, 'read-models'));
    bus = flakyBus();
    await bus.consume({ groupId: 'test', topics: [CAMPAIGN_RESULTS_TOPIC], fromBeginning: true, onMessage: (message) => void produced.push(message) });
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    agent = await startAgentApi({ config, eventStore: store, readStore, resultsBus: bus, logger: createLogger('silent', 'test'), metrics: createMetrics() });
    http = await listen((req, res) => {
      if (!agent.handle(req, res)) res.writeHead(404).end();
    }, 0, '127.0.0.1');
    await store.append([{ streamId: 'enroll-secrets', expected: 'any', events: [event<EnrollSecretsReplaced>(ENROLL_SECRETS_REPLACED, { secrets: [{ secret: SECRET, created_at: new Date().toISOString() }], added: 1, removed: 0 })] }]);
  });
  after(async () => {
    await http?.close();
    await agent?.close();
    await bus?.close();
    await readStore?.close();
    await store?.close();
  });

  it('hands the campaigns whose answers got a 5xx to the host again at its next check-in', async () => {
    const host = new FakeOsqueryHost(`http://127.0.0.1:${http.port}`, 'outage-1', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    const hostId = agent.hosts.byNodeKey(host.nodeKey!)!.id;
    for (const id of [901, 902]) {
      const created: CampaignCreated = {
        id,
        query: `SELECT ${id} AS answer`,
        query_id: null,
        user_id: 1,
        target_host_ids: [hostId],
        totals: { count: 1, online: 1, offline: 0, missing_in_action: 0, new: 0 },
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      };
      await store.append([{ streamId: campaignStreamId(id), expected: 'no_stream', events: [event(CAMPAIGN_CREATED, created)] }]);
    }
    const campaignNames = (queries: Record<string, string>) => Object.keys(queries).filter((name) => name.startsWith('fleet_distributed_query_')).sort();
    const asked = await eventually(async () => {
      const names = campaignNames((await host.read()).body.queries);
      assert.deepEqual(names, ['fleet_distributed_query_901', 'fleet_distributed_query_902']);
      return names;
    });

    bus.down = true;
    const failed = await host.write(Object.fromEntries(asked.map((name) => [name, [{ answer: 'during the outage' }]])));
    assert.ok(failed.status >= 500, `the host is told its answers were not taken (got ${failed.status})`);
    bus.down = false;

    const again = await host.read();
    assert.equal(again.status, 200);
    assert.deepEqual(campaignNames(again.body.queries), asked, 'both campaigns are asked again at once');
    const answered = await host.write(Object.fromEntries(asked.map((name) => [name, [{ answer: 'after the outage' }]])));
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    await eventually(async () => assert.equal(produced.length, 2));
    // Envelope in its header, the rows' JSON text as the value (campaign-results-topic.ts).
    const answers = produced.map((message) => ({ envelope: JSON.parse(message.headers![ENVELOPE_HEADER]) as { campaign_id: number }, rows: message.value.toString() }));
    assert.deepEqual(answers.map((answer) => answer.envelope.campaign_id).sort(), [901, 902]);
    assert.ok(answers.every((answer) => answer.rows === JSON.stringify([{ answer: 'after the outage' }])));
    assert.deepEqual(campaignNames((await host.read()).body.queries), [], 'answered campaigns are not asked again');
  });
});
