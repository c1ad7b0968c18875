/**
 * Results retention (black box): with RESULTS_RETENTION_DAYS set, an ended campaign's stored
 * results are deleted once the period is over; the campaign says so, its results answer 410 in
 * Fleet's error shape, and a watcher selecting it gets an error; a running campaign keeps its results.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { connectWebSocketWatcher, isType } from '../support/watcher-clients';

const SECRET = 'retention-secret';
const RETENTION_SECONDS = 3;

describe('live query results retention (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let host: FakeOsqueryHost;

  before(async () => {
    logbook = await startLogbook({ env: { RESULTS_RETENTION_DAYS: String(RETENTION_SECONDS / 86_400) } });
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    host = new FakeOsqueryHost(logbook.url, 'web-1', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    assert.equal((await host.answerLikeARealHost()).status, 200);
    await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ labels: Array<{ name: string }> }>;
      assert.ok(hosts[0]?.labels.some((label) => label.name === 'All Hosts'));
    });
  });
  after(() => logbook.stop());

  const run = async (sql: string) => {
    const res = await admin.post('/api/v1/fleet/queries/run_by_names', { query: sql, selected: { labels: ['All Hosts'] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.campaign.id as number;
  };

  it('deletes the results of an ended campaign after the retention period, and keeps those of a running one', async () => {
    const ended = await run('SELECT 1 AS answer');
    assert.equal((await host.answerAll(() => [{ answer: '1' }])).status, 200);
    await eventually(async () => {
      const campaign = (await admin.get(`/api/v1/fleet/campaigns/${ended}`)).body.campaign;
      assert.equal(campaign.state, 'completed');
      assert.equal(campaign.actual_results, 1);
    });
    const before = await admin.get(`/api/v1/fleet/campaigns/${ended}/results`);
    assert.equal(before.status, 200);
    assert.equal(before.body.results.length, 1);
    const running = await run('SELECT 2 AS answer'); // nobody answers: it runs on

    const campaign = await eventually(async () => {
      const found = (await admin.get(`/api/v1/fleet/campaigns/${ended}`)).body.campaign;
      assert.ok(found.results_deleted_at, 'results_deleted_at is set');
      return found;
    }, 30_000);
    assert.equal(campaign.actual_results, 0);
    const gone = await admin.get(`/api/v1/fleet/campaigns/${ended}/results`);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.message, 'Gone');
    assert.match(gone.body.errors[0].reason, new RegExp(`the results of campaign ${ended} were deleted at .*retention period`));
    assert.equal((await admin.request('GET', `/api/v1/fleet/campaigns/${ended}/results`, undefined, { accept: 'text/csv' })).status, 410);

    const watcher = await connectWebSocketWatcher(logbook.url.replace(/^http/, 'ws'));
    watcher.send('auth', { token: admin.token });
    watcher.send('select_campaign', { campaign_id: ended });
    assert.match((await watcher.waitFor(isType('error'))).data, /were deleted at .* after the retention period/);
    watcher.close();

    const stillRunning = await admin.get(`/api/v1/fleet/campaigns/${running}`);
    assert.equal(stillRunning.body.campaign.state, 'running');
    assert.equal(stillRunning.body.campaign.results_deleted_at, undefined);
    assert.equal((await admin.get(`/api/v1/fleet/campaigns/${running}/results`)).status, 200);
  });
});
