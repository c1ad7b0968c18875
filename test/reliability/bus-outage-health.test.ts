/**
 * Issue 14: the Kafka broker is kill -9'd under a running Logbook (black box). While it is down:
 * /healthz answers 503 naming the results bus; hosts keep checking in (config, distributed/read
 * answer 200); a new campaign is refused with Fleet's 503 error and not recorded; a log batch
 * gets a 503 (the host retries it) instead of hanging. Once the broker is back, all of it works
 * again by itself; and a Logbook started while the broker is down retries until it is back.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startRestartableKafkaBroker, type RestartableKafkaBroker } from '../support/kafka-broker';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'bus-outage-secret';

async function healthz(logbook: LogbookProcess): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${logbook.url}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

describe('reliability: /healthz, check-ins and campaigns while Kafka is down (black box)', function () {
  this.timeout(300_000);
  let broker: RestartableKafkaBroker;
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let host: FakeOsqueryHost;
  let hostId: number;
  let firstCampaignId: number;

  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    broker = await startRestartableKafkaBroker();
    logbook = await startLogbook({ env: { KAFKA_BROKERS: broker.address, RESULTS_BUS_TIMEOUT_MS: '3000', RESULTS_TOPIC_PARTITIONS: '1' } });
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    host = new FakeOsqueryHost(logbook.url, 'bus-outage-1', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    await host.answerLikeARealHost();
    // The host list is a read model: the projector shows the host a moment after it enrolled.
    hostId = await eventually(async () => {
      const listed = (await admin.get('/api/v1/fleet/hosts')).body.hosts as { id: number }[];
      assert.equal(listed.length, 1);
      return listed[0].id;
    }, 30_000, 100);
  });
  after(async () => {
    await logbook?.stop();
  });

  const runCampaign = () => admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1', selected: { hosts: [hostId], labels: [], teams: [] } });

  it('is healthy with the broker up', async () => {
    await eventually(async () => assert.deepEqual(await healthz(logbook), { status: 200, body: { status: 'ok' } }), 30_000, 250);
    const started = await runCampaign();
    assert.equal(started.status, 200);
    firstCampaignId = started.body.campaign.id;
  });

  it('answers 503 on /healthz, refuses campaigns and log batches, and keeps serving check-ins while the broker is dead', async () => {
    await broker.kill();
    const down = await eventually(async () => {
      const answer = await healthz(logbook);
      assert.equal(answer.status, 503);
      return answer;
    }, 60_000, 250);
    assert.equal(down.body.status, 'unavailable');
    assert.match(down.body.reason!, /^results bus: /);

    const livez = await fetch(`${logbook.url}/livez`);
    assert.deepEqual([livez.status, await livez.json()], [200, { status: 'alive' }], 'alive: no reason to restart it');
    assert.equal((await host.post('config')).status, 200, 'config keeps answering');
    assert.equal((await host.read()).status, 200, 'distributed/read keeps answering');

    const refused = await runCampaign();
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.message, 'Service Unavailable');
    assert.equal(refused.body.errors[0].name, 'base');
    assert.match(refused.body.errors[0].reason, /^results bus: /);

    const log = await host.post('log', { log_type: 'result', data: [{ name: 'pack/x/y', columns: { a: '1' }, action: 'added' }] });
    assert.equal(log.status, 503, JSON.stringify(log.body));
    assert.equal(log.body.node_invalid, false);
  });

  it('recovers by itself once the broker is back', async () => {
    await broker.restart();
    await eventually(async () => assert.equal((await healthz(logbook)).status, 200), 120_000, 500);
    const started = await eventually(async () => {
      const res = await runCampaign();
      assert.equal(res.status, 200);
      return res;
    }, 30_000, 500);
    assert.equal(started.body.campaign.id, firstCampaignId + 1, 'the refused campaign was not recorded (it took no id)');
    await eventually(async () => assert.equal((await host.post('log', { log_type: 'result', data: [{ name: 'pack/x/y', columns: { a: '2' }, action: 'added' }] })).status, 200), 60_000, 500);
  });

  it('starts while the broker is still down, retrying KAFKA_BROKERS until it is back', async () => {
    await logbook.stop();
    await broker.kill();
    const starting = startLogbook({ dataDir: logbook.dataDir, env: { KAFKA_BROKERS: broker.address, STARTUP_RETRY_S: '240', RESULTS_TOPIC_PARTITIONS: '1' } });
    starting.catch(() => undefined); // awaited below
    await broker.restart();
    logbook = await starting;
    const retries = logbook.output.filter((line) => line.includes('"variable":"KAFKA_BROKERS"') && line.includes('retrying'));
    assert.ok(retries.length >= 1, 'at least one try failed while the broker was down');
    assert.ok(retries.every((line) => line.includes(`"pointsAt":"${broker.address}"`)));
    await eventually(async () => assert.equal((await healthz(logbook)).status, 200), 60_000, 500);
  });
});
