/**
 * Acknowledged campaign answers survive kill -9 with the default in-process results bus (no
 * KAFKA_BROKERS), black box: hosts got their 200 on distributed/write, Logbook is killed at once,
 * and after a restart on the same data every answer is among the campaign's results.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'bus-durability-secret';
const HOSTS = 12;
const ROUNDS = 3;

describe('results bus durability (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let hosts: FakeOsqueryHost[];

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    hosts = Array.from({ length: HOSTS }, (_, i) => new FakeOsqueryHost(logbook.url, `durable-${i}`, 'ubuntu'));
    for (const host of hosts) {
      assert.equal((await host.enroll(SECRET)).status, 200);
      assert.equal((await host.answerLikeARealHost()).status, 200);
    }
    await eventually(async () => {
      const listed = (await admin.get('/api/v1/fleet/hosts?per_page=100')).body.hosts as Array<{ labels: Array<{ name: string }> }>;
      assert.equal(listed.filter((host) => host.labels.some((label) => label.name === 'All Hosts')).length, HOSTS);
    });
  });
  after(() => logbook.stop());

  it('finds every answer a host got a 200 for among the campaign results after kill -9 and a restart', async () => {
    // Several campaigns, each killed right after its answers were acknowledged.
    for (let round = 0; round < ROUNDS; round++) {
      const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: `SELECT ${round} AS round, hostname FROM system_info`, selected: { labels: ['All Hosts'] } });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      const campaignId = run.body.campaign.id as number;
      const name = `fleet_distributed_query_${campaignId}`;
      const asked = await Promise.all(hosts.map((host) => host.read()));
      assert.ok(asked.every((res) => res.status === 200 && res.body.queries[name]), 'every host is asked the campaign');
      const written = await Promise.all(hosts.map((host) => host.write({ [name]: [{ round: String(round), hostname: host.hostname }] })));
      assert.deepEqual(written.map((res) => res.status), Array(HOSTS).fill(200), 'every answer acknowledged');
      await logbook.kill();

      logbook = await startLogbook({ dataDir: logbook.dataDir });
      admin = new FleetClient(logbook.url, admin.token);
      hosts = hosts.map((host) => Object.assign(new FakeOsqueryHost(logbook.url, host.hostname, host.platform), { nodeKey: host.nodeKey }));
      const results = await eventually(async () => {
        const res = await admin.get(`/api/v1/fleet/campaigns/${campaignId}/results?per_page=1000`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.results.length, HOSTS, `round ${round}: ${res.body.results.length} of ${HOSTS} answers kept`);
        return res.body.results as Array<{ host: { hostname: string }; rows: Array<Record<string, string>> }>;
      }, 20_000);
      assert.deepEqual(results.map((result) => result.rows[0].hostname).sort(), hosts.map((host) => host.hostname).sort());
      assert.ok(results.every((result) => result.rows[0].round === String(round)));
    }
  });
});
