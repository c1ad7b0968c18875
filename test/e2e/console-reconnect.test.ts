/**
 * The campaign page when its socket drops mid-campaign, in headless Chromium against a started
 * Logbook: the page says it lost the connection, the hosts go on answering meanwhile, and once
 * the network is back the page reconnects and shows every result exactly once (the gateway
 * replays the stored results; campaign-stream.ts keeps one answer per host).
 *
 * The drop: every Socket.IO WebSocket of the page goes through Playwright's routeWebSocket, so
 * the test can close them as a dead network would and refuse new ones until it is "online" again.
 */
import assert from 'node:assert/strict';
import type { Page, WebSocketRoute } from 'playwright-core';
import { consoleInChromium } from '../support/console-in-chromium';
import { signIn } from '../support/console-page';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { ADMIN, setUpAdmin, type FleetClient } from '../support/fleet-client';

const SECRET = 'console-reconnect-secret';
const HOSTS = 4;
const SQL = 'SELECT version FROM osquery_info;';

/** The page's WebSockets to Logbook, through a switch: offline closes them all and refuses new ones. */
class SocketSwitch {
  private readonly open = new Set<WebSocketRoute>();
  online = true;
  connections = 0;

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (!this.online) {
        void ws.close({ code: 1000, reason: 'offline' });
        return;
      }
      this.connections++;
      ws.connectToServer();
      this.open.add(ws);
      ws.onClose(() => this.open.delete(ws));
    });
  }

  async goOffline(): Promise<void> {
    this.online = false;
    await Promise.all([...this.open].map((ws) => ws.close({ code: 1000, reason: 'network dropped' })));
    this.open.clear();
  }

  goOnline(): void {
    this.online = true;
  }
}

describe('operator console: a dropped campaign socket (headless Chromium)', function () {
  this.timeout(120_000);
  const ui = consoleInChromium();
  let admin: FleetClient;
  const hosts = Array.from({ length: HOSTS }, (_, i) => new FakeOsqueryHost('', `reconnect-host-${i + 1}`, 'ubuntu'));

  before(async () => {
    admin = await setUpAdmin(ui.logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    for (let i = 0; i < HOSTS; i++) {
      hosts[i] = new FakeOsqueryHost(ui.logbook.url, hosts[i].hostname, 'ubuntu');
      assert.equal((await hosts[i].enroll(SECRET)).status, 200);
      await hosts[i].answerLikeARealHost();
    }
  });

  it('says the connection is lost, reconnects, and shows every result once: none missing, none twice', async () => {
    const ids = await eventually(async () => {
      const listed = (await admin.get('/api/v1/fleet/hosts?query=reconnect-host')).body.hosts as Array<{ id: number; hostname: string; status: string }>;
      assert.equal(listed.filter((host) => host.status === 'online').length, HOSTS);
      return listed.map((host) => host.id);
    }, 30_000);
    const run = await admin.post('/api/v1/fleet/queries/run', { query: SQL, selected: { hosts: ids } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const campaignId: number = run.body.campaign.id;
    const answer = (host: FakeOsqueryHost) => host.answerAll(() => [{ version: `5.12.1-${host.hostname}` }]);

    const page = await ui.open();
    await signIn(page, ADMIN.email, ADMIN.password);
    const network = new SocketSwitch();
    await network.install(page);
    await page.goto(`${ui.logbook.url}/campaigns/${campaignId}`);
    const progress = page.getByRole('status', { name: 'Campaign progress' });
    const results = page.getByRole('table', { name: 'Results' });

    // Live: the first host's answer streams in.
    await progress.filter({ hasText: `0 answered of ${HOSTS} online of ${HOSTS} targeted` }).waitFor({ timeout: 30_000 });
    await answer(hosts[0]);
    await results.getByRole('cell', { name: hosts[0].hostname, exact: true }).waitFor({ timeout: 15_000 });

    // The network drops: the page says so, and the other hosts answer meanwhile.
    await network.goOffline();
    await page.getByText('connection lost: reconnecting, stored results will replay').waitFor({ timeout: 15_000 });
    for (const host of hosts.slice(1)) await answer(host);
    await eventually(async () => {
      assert.equal((await admin.get(`/api/v1/fleet/campaigns/${campaignId}`)).body.campaign.actual_results, HOSTS);
    }, 30_000);
    assert.equal(await page.getByRole('heading', { name: 'Results: 1 rows from 1 hosts' }).count(), 1, 'nothing arrives while offline');
    await page.getByText('connection lost: reconnecting, stored results will replay').waitFor();

    // Back online: socket.io retries (at most every 5 s), selects the campaign again and the stored results replay.
    const before = network.connections;
    network.goOnline();
    await page.getByRole('heading', { name: `Results: ${HOSTS} rows from ${HOSTS} hosts` }).waitFor({ timeout: 30_000 });
    await progress.filter({ hasText: `${HOSTS} answered of ${HOSTS} online of ${HOSTS} targeted` }).waitFor();
    assert.ok(network.connections > before, 'a new socket after the network came back');
    await page.getByText('connection lost: reconnecting, stored results will replay').waitFor({ state: 'detached' });
    for (const host of hosts) {
      assert.equal(await results.getByRole('cell', { name: host.hostname, exact: true }).count(), 1, `${host.hostname} once`);
      assert.equal(await results.getByRole('cell', { name: `5.12.1-${host.hostname}`, exact: true }).count(), 1, `${host.hostname}'s row once`);
    }
    assert.equal(await results.getByRole('row').count(), HOSTS + 1, 'the header and one row per host');
  });
});
