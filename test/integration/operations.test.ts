/**
 * Operations of a started Logbook (black box): /metrics behind METRICS_TOKEN lists the fleet's
 * gauges and counters (projector lag, consumer lag per topic, hosts enrolled and online, running
 * campaigns, results recorded, watchers connected, osquery requests by outcome), and the access
 * log has one line per request and no secret: no password, token, node key or enroll secret,
 * not even one sent in a query string.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { ADMIN, setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { connectWebSocketWatcher, type WatcherClient } from '../support/watcher-clients';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const SECRET = 'operations-enroll-secret';
const QUERY_TOKEN = 'query-string-token-abcdef123456';

/** The value of a series whose labels include `labels` (all of them), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('operations: metrics and the access log (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let host: FakeOsqueryHost;
  let watcher: WatcherClient | null = null;

  before(async () => {
    logbook = await startLogbook({ env: { METRICS_TOKEN, ACCESS_LOG: 'true', CAMPAIGN_EXPIRY_S: '600' } });
    admin = await setUpAdmin(logbook.url);
    assert.equal((await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } })).status, 200);
    host = new FakeOsqueryHost(logbook.url, 'ops-1', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    await host.answerLikeARealHost();
  });
  after(async () => {
    watcher?.close();
    await logbook?.stop();
  });

  const scrape = (authorization?: string) => fetch(`${logbook.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers /metrics only with the bearer token', async () => {
    const anonymous = await scrape();
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await scrape('Bearer not-the-metrics-token-at-all')).status, 401);
    assert.equal((await scrape(`Basic ${METRICS_TOKEN}`)).status, 401);
    assert.equal((await scrape(`Bearer ${METRICS_TOKEN}`)).status, 200);
  });

  it('lists the fleet, campaign, bus and projector metrics', async () => {
    const ids = (await admin.get('/api/v1/fleet/hosts')).body.hosts.map((entry: { id: number }) => entry.id) as number[];
    const run = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1 AS one', selected: { hosts: ids, labels: [], teams: [] } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    watcher = await connectWebSocketWatcher(logbook.url.replace(/^http/, 'ws'));
    watcher.send('auth', { token: admin.token });
    watcher.send('select_campaign', { campaign_id: run.body.campaign.id });
    await host.answerLikeARealHost(() => [{ one: '1' }]);
    assert.equal((await new FakeOsqueryHost(logbook.url, 'stranger', 'ubuntu').post('config')).status, 401);

    const text = await eventually(async () => {
      const body = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
      assert.equal(sample(body, 'results_gateway_recorded_total'), 1);
      assert.equal(sample(body, 'logbook_projector_lag_events'), 0);
      assert.equal(sample(body, 'results_gateway_watchers'), 1);
      return body;
    }, 30_000, 250);
    assert.equal(sample(text, 'logbook_hosts_enrolled'), 1);
    assert.equal(sample(text, 'logbook_hosts_online'), 1);
    assert.equal(sample(text, 'logbook_campaigns_running'), 1);
    assert.ok(sample(text, 'logbook_osquery_requests_total', { endpoint: 'distributed/read', outcome: 'ok' })! >= 1);
    assert.ok(sample(text, 'logbook_osquery_requests_total', { endpoint: 'distributed/write', outcome: 'ok' })! >= 1);
    assert.equal(sample(text, 'logbook_osquery_requests_total', { endpoint: 'config', outcome: 'node_invalid' }), 1);
    assert.equal(sample(text, 'logbook_osquery_requests_total', { endpoint: 'enroll', outcome: 'ok' }), 1);
    const lag = sample(text, 'logbook_bus_consumer_lag_messages', { topic: 'campaign-results' });
    assert.ok(lag !== undefined && lag >= 0, `consumer lag of the campaign results topic: ${text.split('\n').filter((line) => line.startsWith('logbook_bus')).join('\n')}`);
  });

  it('logs one access line per request, with no secret in any of them', async () => {
    const me = await fetch(`${logbook.url}/api/v1/fleet/me?token=${QUERY_TOKEN}`, { headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(me.status, 200);
    const login = await admin.post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200);
    const access = await eventually(async () => {
      const lines = logbook.output.filter((line) => line.includes('"access"')).map((line) => JSON.parse(line) as { access: { method: string; path: string; status: number; ms: number } });
      assert.ok(lines.some((line) => line.access.path === '/api/v1/fleet/login' && line.access.status === 200));
      return lines;
    });
    const me200 = access.find((line) => line.access.path === '/api/v1/fleet/me');
    assert.deepEqual(me200 && [me200.access.method, me200.access.status], ['GET', 200]);
    assert.ok(access.some((line) => line.access.path === '/api/v1/osquery/distributed/read'));
    assert.ok(access.some((line) => line.access.path === '/metrics' && line.access.status === 401));
    const everything = logbook.output.join('\n');
    for (const secret of [ADMIN.password, admin.token!, login.body.token as string, host.nodeKey!, SECRET, METRICS_TOKEN, QUERY_TOKEN]) {
      assert.ok(!everything.includes(secret), `a secret in the log: ${secret.slice(0, 4)}…`);
    }
  });
});
