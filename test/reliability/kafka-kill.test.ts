/**
 * Issue 11: the Kafka broker is kill -9'd in the middle of a live campaign and started again on
 * the same ports and log dir. Invariants: every result a host had answered (its
 * distributed/write got a 200) reaches each watcher exactly once, no loss and no duplicate; the
 * campaign completes; its stored results are complete.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startRestartableKafkaBroker, type RestartableKafkaBroker } from '../support/kafka-broker';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { connectSocketIoWatcher, connectSockJsWatcher, connectWebSocketWatcher, isFinished, resultHosts, type WatcherClient } from '../support/watcher-clients';

const HOSTS = 30;
const SECRET = 'kafka-kill-secret';

/** The host checks in and answers the campaign's query (and whatever else it was asked). */
async function answer(host: FakeOsqueryHost, campaignId: number): Promise<{ status: number | string; answered: boolean }> {
  try {
    let asked = false;
    const res = await host.answerLikeARealHost((name) => {
      if (name !== `fleet_distributed_query_${campaignId}`) return undefined;
      asked = true;
      return [{ hostname: host.hostname }];
    });
    return { status: res.status, answered: asked && res.status === 200 };
  } catch (error) {
    return { status: String(error), answered: false };
  }
}

describe('reliability: Kafka broker kill -9 mid-campaign (black box)', function () {
  this.timeout(300_000);
  let broker: RestartableKafkaBroker;
  let logbook: LogbookProcess;
  let admin: FleetClient;
  const hosts: FakeOsqueryHost[] = [];
  const watchers: WatcherClient[] = [];

  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    broker = await startRestartableKafkaBroker();
    logbook = await startLogbook({ env: { KAFKA_BROKERS: broker.address, RESULTS_TOPIC_PARTITIONS: '2', CAMPAIGN_EXPIRY_S: '600' } });
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    for (let i = 0; i < HOSTS; i++) {
      const host = new FakeOsqueryHost(logbook.url, `kafka-kill-${i}`, (['darwin', 'ubuntu', 'centos', 'windows'] as const)[i % 4]);
      assert.equal((await host.enroll(SECRET)).status, 200);
      await host.answerLikeARealHost();
      hosts.push(host);
    }
  });
  after(async () => {
    for (const watcher of watchers) watcher.close();
    await logbook.stop();
  });

  it('delivers every answered result exactly once to each watcher and stores them all', async () => {
    // Enrollments reach the host list through the projector, a moment after their 200.
    const ids = await eventually(async () => {
      const listed = (await admin.get('/api/v1/fleet/hosts?per_page=100')).body.hosts.map((host: { id: number }) => host.id) as number[];
      assert.equal(listed.length, HOSTS, 'every enrolled host listed');
      return listed;
    }, 30_000, 100);
    const run = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT hostname FROM system_info', selected: { hosts: ids, labels: [], teams: [] } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const campaignId = run.body.campaign.id as number;
    const wsUrl = logbook.url.replace(/^http/, 'ws');
    const ws = await connectWebSocketWatcher(wsUrl);
    const sockjs = await connectSockJsWatcher(logbook.url);
    const socketio = await connectSocketIoWatcher(logbook.url, admin.token);
    watchers.push(ws, sockjs, socketio);
    for (const watcher of [ws, sockjs]) watcher.send('auth', { token: admin.token });
    for (const watcher of watchers) watcher.send('select_campaign', { campaign_id: campaignId });

    const statuses: Array<number | string> = [];
    const answered = new Set<string>();
    const wave = async (batch: FakeOsqueryHost[]) =>
      Promise.all(batch.map(async (host) => {
        const outcome = await answer(host, campaignId);
        statuses.push(outcome.status);
        if (outcome.answered) answered.add(host.hostname);
      }));
    // A third answers with the broker up, a third while it is down (their writes may wait or
    // fail), and a third once it is back.
    await wave(hosts.slice(0, 10));
    await broker.kill();
    const during = wave(hosts.slice(10, 20));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await broker.restart();
    await during;
    await wave(hosts.slice(20));
    // A host whose answer was not taken (an error, or no answer) sends it again, as a client
    // retrying would: the first attempt may have reached the topic, so this also checks that
    // a result recorded twice is delivered once.
    await eventually(async () => {
      await Promise.all(hosts.filter((host) => !answered.has(host.hostname)).map(async (host) => {
        const res = await host.write({ [`fleet_distributed_query_${campaignId}`]: [{ hostname: host.hostname }] }).catch((error: Error) => ({ status: error.message }));
        statuses.push(res.status);
        if (res.status === 200) answered.add(host.hostname);
      }));
      assert.equal(answered.size, HOSTS, `answered: ${answered.size}`);
    }, 60_000, 1_000);
    console.log(`      distributed/write statuses: ${JSON.stringify(statuses.reduce<Record<string, number>>((count, s) => ({ ...count, [String(s)]: (count[String(s)] ?? 0) + 1 }), {}))}`);

    for (const [name, watcher] of [['websocket', ws], ['sockjs', sockjs], ['socket.io', socketio]] as const) {
      await watcher.waitFor(isFinished);
      const got = resultHosts(watcher.frames);
      assert.equal(got.length, new Set(got).size, `${name}: a result delivered twice: ${JSON.stringify(got)}`);
      assert.deepEqual([...got].sort((a, b) => a - b), [...ids].sort((a, b) => a - b), `${name}: every answered result, once`);
    }
    await eventually(async () => {
      const campaign = (await admin.get(`/api/v1/fleet/campaigns/${campaignId}`)).body.campaign;
      assert.equal(campaign.state, 'completed');
      assert.equal(campaign.actual_results, HOSTS);
    }, 30_000);
    const stored = await admin.get(`/api/v1/fleet/campaigns/${campaignId}/results?per_page=100`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.meta.total, HOSTS);
    const storedHosts = stored.body.results.map((result: { host: { id: number } }) => result.host.id) as number[];
    assert.deepEqual([...storedHosts].sort((a, b) => a - b), [...ids].sort((a, b) => a - b), 'stored: one result per host');
  });
});
