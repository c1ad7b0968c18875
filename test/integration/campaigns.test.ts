/** Live query campaigns, command side and delivery to hosts (black box). */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'campaign-secret';

describe('live query campaigns (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let observer: FleetClient;
  let hosts: FakeOsqueryHost[];
  let labelIds: Record<string, number>;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    observer = await createUser(admin, 'observer');
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'open to observers', query: 'SELECT 1', observer_can_run: true }, { name: 'admins only', query: 'SELECT 2' }] });
    hosts = [new FakeOsqueryHost(logbook.url, 'mac-a', 'darwin'), new FakeOsqueryHost(logbook.url, 'ubuntu-a', 'ubuntu'), new FakeOsqueryHost(logbook.url, 'ubuntu-b', 'ubuntu')];
    for (const host of hosts) {
      assert.equal((await host.enroll(SECRET)).status, 200);
      assert.equal((await host.answerLikeARealHost()).status, 200);
    }
    labelIds = Object.fromEntries(((await admin.get('/api/v1/fleet/spec/labels')).body.specs as Array<{ id: number; name: string }>).map((label) => [label.name, label.id]));
    await eventually(async () => {
      const listed = (await admin.get(`/api/v1/fleet/labels/${labelIds['Ubuntu Linux']}/hosts`)).body.hosts;
      assert.equal(listed.length, 2);
    });
  });
  after(() => logbook.stop());

  it('runs a query by label name and answers the campaign in Fleet\'s shape', async () => {
    const res = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT * FROM uptime', selected: { labels: ['Ubuntu Linux'] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { campaign } = res.body;
    assert.equal(typeof campaign.id, 'number');
    assert.equal(campaign.status, 0);
    assert.equal(campaign.query_id, null);
    assert.deepEqual(campaign.Metrics, { TotalHosts: 2, OnlineHosts: 2, OfflineHosts: 0, MissingInActionHosts: 0, NewHosts: 2 });
    const activity = (await admin.get('/api/v1/fleet/activities')).body.activities[0];
    assert.equal(activity.type, 'live_query');
    assert.equal(activity.details.targets_count, 2);
  });

  it('delivers the query once to each targeted host, and to no other', async () => {
    const { campaign } = (await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 42 AS answer', selected: { hosts: [], labels: [labelIds['Ubuntu Linux']] } })).body;
    const name = `fleet_distributed_query_${campaign.id}`;
    const [mac, ubuntuA] = hosts;
    assert.equal((await ubuntuA.read()).body.queries[name], 'SELECT 42 AS answer');
    assert.equal((await ubuntuA.read()).body.queries[name], undefined, 'handed out once');
    assert.equal((await mac.read()).body.queries[name], undefined, 'not targeted');
    assert.equal((await ubuntuA.write({ [name]: [{ answer: '42' }] })).status, 200);
    assert.equal((await mac.write({ [name]: [{ answer: '42' }] })).status, 200, 'an answer to a campaign not asked is ignored, not refused');
  });

  it('runs a saved query by id and refuses what targets nothing or names unknown labels', async () => {
    const saved = ((await admin.get('/api/v1/fleet/queries')).body.queries as Array<{ id: number; name: string; query: string }>).find((query) => query.name === 'admins only');
    assert.ok(saved);
    const bySavedQuery = await admin.post('/api/v1/fleet/queries/run', { query_id: saved.id, selected: { hosts: [], labels: [labelIds['All Hosts']] } });
    assert.equal(bySavedQuery.status, 200);
    assert.equal(bySavedQuery.body.campaign.query_id, saved.id);
    assert.equal(bySavedQuery.body.campaign.Metrics.TotalHosts, 3);
    const noHosts = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1', selected: { hosts: [999], labels: [], teams: [] } });
    assert.equal(noHosts.status, 400);
    assert.match(noHosts.body.errors[0].reason, /no hosts targeted/);
    const unknownLabel = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT 1', selected: { labels: ['No Such Label'] } });
    assert.equal(unknownLabel.status, 400);
    assert.match(unknownLabel.body.errors[0].reason, /No Such Label/);
    assert.equal((await admin.post('/api/v1/fleet/queries/run', { selected: { hosts: [1] } })).status, 422, 'neither query nor query_id');
    assert.equal((await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1' })).status, 422, 'no selection');
    assert.equal((await admin.post('/api/v1/fleet/queries/run', { query_id: 99999, selected: { hosts: [1] } })).status, 404);
  });

  it('lets observers run only saved queries open to observers', async () => {
    const res = await observer.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT 1', selected: { hosts: ['mac-a'] } });
    assert.equal(res.status, 403);
    const saved = (await observer.get('/api/v1/fleet/queries')).body.queries as Array<{ id: number; name: string }>;
    const open = saved.find((query) => query.name === 'open to observers')!;
    const closed = saved.find((query) => query.name === 'admins only')!;
    assert.equal((await observer.post('/api/v1/fleet/queries/run_by_names', { query_id: closed.id, selected: { hosts: ['mac-a'] } })).status, 403);
    const allowed = await observer.post('/api/v1/fleet/queries/run_by_names', { query_id: open.id, selected: { hosts: ['mac-a'] } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.body.campaign.Metrics.TotalHosts, 1);
  });

  it('stops a campaign: hosts that have not fetched it no longer get it', async () => {
    const { campaign } = (await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT 7', selected: { hosts: ['ubuntu-b'] } })).body;
    const stopped = await admin.post(`/api/v1/fleet/campaigns/${campaign.id}/stop`);
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.campaign.state, 'stopped');
    assert.equal(stopped.body.campaign.status, 2);
    await eventually(async () => assert.equal((await hosts[2].read()).body.queries[`fleet_distributed_query_${campaign.id}`], undefined));
    assert.equal((await admin.post('/api/v1/fleet/campaigns/99999/stop')).status, 404);
  });
});
