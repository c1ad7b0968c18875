/**
 * Live queries end to end (black box): simulated hosts → agent API → a real Kafka broker →
 * results gateway → a SockJS, a raw WebSocket and a Socket.IO watcher. Every result arrives
 * exactly once at each watcher; after every process restarted, the campaign replays in full, and
 * its results read back as JSON and CSV.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { startHostSimulator, type HostSimulator } from '../../services/host-simulator';
import { eventually } from '../support/eventually';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { kafkaBrokers } from '../support/kafka-broker';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { connectSocketIoWatcher, connectSockJsWatcher, connectWebSocketWatcher, isFinished, isType, resultHosts, type WatcherClient } from '../support/watcher-clients';

const SECRET = 'live-secret';
const WATCH_CAMPAIGN = resolve(__dirname, '../../services/results-watcher/main.js');

function watchCampaignCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [WATCH_CAMPAIGN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
const HOSTS = 12;

describe('live query end to end through Kafka (black box)', function () {
  this.timeout(180_000);
  let logbook: LogbookProcess;
  let env: Record<string, string>;
  let admin: FleetClient;
  let simulator: HostSimulator;
  const watchers: WatcherClient[] = [];

  async function selectCampaign(watcher: WatcherClient, campaignId: number, token: string, socketIo = false): Promise<void> {
    if (!socketIo) watcher.send('auth', { token });
    watcher.send('select_campaign', { campaign_id: campaignId });
  }

  before(async () => {
    env = { KAFKA_BROKERS: (await kafkaBrokers()).join(','), RESULTS_TOPIC_PARTITIONS: '2' };
    logbook = await startLogbook({ env });
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    simulator = await startHostSimulator({
      url: logbook.url,
      enrollSecret: SECRET,
      hosts: HOSTS,
      seed: 'live-query-e2e',
      platformMix: { darwin: 1, ubuntu: 1, centos: 1, windows: 1 },
      distributedIntervalSec: 1,
      accelerateIntervalSec: 1,
      configRefreshSec: 5,
      loggerTlsPeriodSec: 5,
    });
    await simulator.ready;
    await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts?status=online')).body.hosts;
      assert.equal(hosts.length, HOSTS);
      assert.ok(hosts.every((host: { labels: unknown[] }) => host.labels.length >= 2), 'labels known');
    }, 60_000);
  });
  after(async () => {
    for (const watcher of watchers) watcher.close();
    await simulator?.stop();
    await logbook.stop();
  });

  let campaignId: number;
  const expectedHostIds = new Set<number>();

  it('streams every result once to a SockJS, a WebSocket and a Socket.IO watcher', async () => {
    const wsUrl = logbook.url.replace(/^http/, 'ws');
    const sockjs = await connectSockJsWatcher(logbook.url);
    const ws = await connectWebSocketWatcher(wsUrl);
    const socketio = await connectSocketIoWatcher(logbook.url, admin.token);
    watchers.push(sockjs, ws, socketio);
    const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT hostname, platform FROM system_info JOIN os_version', selected: { labels: ['All Hosts'] } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    campaignId = run.body.campaign.id;
    assert.equal(run.body.campaign.Metrics.TotalHosts, HOSTS);
    for (const host of (await admin.get('/api/v1/fleet/hosts')).body.hosts) expectedHostIds.add(host.id);
    await selectCampaign(sockjs, campaignId, admin.token!);
    await selectCampaign(ws, campaignId, admin.token!);
    await selectCampaign(socketio, campaignId, admin.token!, true);
    for (const watcher of [sockjs, ws, socketio]) {
      await watcher.waitFor(isFinished);
      const totals = await watcher.waitFor(isType('totals'));
      assert.deepEqual(totals.data, { count: HOSTS, online: HOSTS, offline: 0, missing_in_action: 0, ...(totals.data.new !== undefined ? { new: totals.data.new } : {}) });
      const hosts = resultHosts(watcher.frames);
      assert.equal(hosts.length, HOSTS, 'one result per host');
      assert.deepEqual(new Set(hosts), expectedHostIds, 'from every targeted host');
      for (const frame of watcher.frames.filter(isType('result'))) {
        assert.equal(frame.data.distributed_query_execution_id, campaignId);
        assert.equal(frame.data.error, null);
        assert.equal(frame.data.rows.length, 1);
        assert.equal(frame.data.rows[0].hostname, frame.data.host.hostname);
      }
      assert.ok(!watcher.frames.some(isType('error')), JSON.stringify(watcher.frames.filter(isType('error'))));
    }
  });

  it('records the campaign as completed with every result', async () => {
    await eventually(async () => {
      const campaign = (await admin.get(`/api/v1/fleet/campaigns/${campaignId}`)).body.campaign;
      assert.equal(campaign.actual_results, HOSTS);
      assert.equal(campaign.state, 'completed');
    }, 30_000);
    assert.equal((await admin.get('/api/v1/fleet/status/live_query')).status, 200);
    assert.equal((await admin.get('/api/v1/fleet/status/result_store')).status, 200);
  });

  it('replays the whole campaign after Logbook restarted, and serves it as JSON and CSV', async () => {
    for (const watcher of watchers.splice(0)) watcher.close();
    await simulator.stop();
    await logbook.stop();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env });
    const client = new FleetClient(logbook.url, admin.token);
    const ws = await connectWebSocketWatcher(logbook.url.replace(/^http/, 'ws'));
    watchers.push(ws);
    await selectCampaign(ws, campaignId, admin.token!);
    await ws.waitFor(isFinished);
    assert.deepEqual(new Set(resultHosts(ws.frames)), expectedHostIds);
    assert.equal(resultHosts(ws.frames).length, HOSTS);
    const page = await client.get(`/api/v1/fleet/campaigns/${campaignId}/results?per_page=5`);
    assert.equal(page.status, 200);
    assert.equal(page.body.results.length, 5);
    assert.equal(page.body.meta.total, HOSTS);
    assert.equal(page.body.meta.has_next_results, true);
    const csv = await client.request('GET', `/api/v1/fleet/campaigns/${campaignId}/results`, undefined, { accept: 'text/csv' });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    assert.equal(lines[0], 'host_id,host_hostname,host_display_name,host_error,hostname,platform');
    assert.equal(lines.length, HOSTS + 1);
  });

  it('replays it with the watch-campaign command over each transport, and says why it fails on a bad campaign', async () => {
    for (const transport of ['websocket', 'sockjs', 'socketio']) {
      const run = await watchCampaignCli(['--url', logbook.url, '--token', admin.token!, '--campaign', String(campaignId), '--transport', transport]);
      assert.equal(run.code, 0, `${transport}: ${run.stderr}`);
      const messages = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; data: any });
      assert.equal(messages[0].type, 'totals', transport);
      assert.deepEqual(new Set(messages.filter((m) => m.type === 'result').map((m) => m.data.host.id)), expectedHostIds, transport);
      assert.equal(messages.filter((m) => m.type === 'result').length, HOSTS, transport);
      assert.deepEqual(messages[messages.length - 1].data, { expected_results: HOSTS, actual_results: HOSTS, status: 'finished' }, transport);
    }
    const unknown = await watchCampaignCli(['--url', logbook.url, '--token', admin.token!, '--campaign', '999999']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no campaign with id 999999/);
    const bad = await watchCampaignCli(['--url', logbook.url, '--campaign', 'x'], { LOGBOOK_TOKEN: '' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /token is required[\s\S]*--campaign must be a positive integer/);
  });
});
