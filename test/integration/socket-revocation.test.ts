/**
 * The end of a session reaches its sockets, black box: after a logout through the API, the
 * watchers (raw WebSocket, SockJS, Socket.IO) and the shell (both sides) that authenticated with
 * that token are closed with a reason, and the token no longer authenticates a socket; other
 * sessions' sockets go on. A session that expires closes its sockets the same way.
 */
import assert from 'node:assert/strict';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, enrollHost, joinAsLauncher, joinAsOperator, pollShells, wsUrl } from '../support/shell-client';
import { eventually } from '../support/eventually';
import { connectSockJsWatcher, connectSocketIoWatcher, connectWebSocketWatcher, isType, type WatcherClient } from '../support/watcher-clients';

async function logIn(baseUrl: string): Promise<FleetClient> {
  const login = await new FleetClient(baseUrl).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return new FleetClient(baseUrl, login.body.token);
}

/** A campaign on one enrolled host, run by `admin`. */
async function runCampaign(admin: FleetClient, hostId: number): Promise<number> {
  const run = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1', selected: { hosts: [hostId] } });
  assert.equal(run.status, 200, JSON.stringify(run.body));
  return run.body.campaign.id as number;
}

async function watching(watcher: WatcherClient, token: string, campaignId: number): Promise<WatcherClient> {
  watcher.send('auth', { token });
  watcher.send('select_campaign', { campaign_id: campaignId });
  await watcher.waitFor(isType('totals'));
  return watcher;
}

const lastError = (watcher: WatcherClient) => watcher.frames.filter(isType('error')).pop()?.data as string | undefined;

describe('revocation reaches sockets (black box)', function () {
  this.timeout(60_000);

  describe('logout', () => {
    let logbook: LogbookProcess;
    let admin: FleetClient;
    let hostId: number;
    let nodeKeyOfHost: string;

    before(async () => {
      logbook = await startLogbook();
      admin = await setUpAdmin(logbook.url);
      await applyEnrollSecret(admin);
      const nodeKey = await enrollHost(logbook.url, 'revocation-host');
      assert.equal((await pollShells(logbook.url, nodeKey)).status, 200);
      hostId = await eventually(async () => {
        const hosts = (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>;
        const host = hosts.find((candidate) => candidate.hostname === 'revocation-host');
        assert.ok(host, 'the host is listed as shell-enabled');
        return host.host_id;
      });
      nodeKeyOfHost = nodeKey;
    });
    after(() => logbook.stop());

    it('closes the watchers on every transport and the shell of that session, and only those', async () => {
      const session = await logIn(logbook.url);
      const token = session.token!;
      const campaignId = await runCampaign(admin, hostId);
      const base = wsUrl(logbook.url, '');
      const ws = await watching(await connectWebSocketWatcher(base), token, campaignId);
      const sockjs = await watching(await connectSockJsWatcher(logbook.url), token, campaignId);
      const socketio = await watching(await connectSocketIoWatcher(logbook.url, token), token, campaignId);
      const other = await watching(await connectWebSocketWatcher(base), admin.token!, campaignId);

      const requested = await session.post(`/api/v1/fleet/hosts/${hostId}/shells`);
      assert.equal(requested.status, 200, JSON.stringify(requested.body));
      const poll = await pollShells(logbook.url, nodeKeyOfHost);
      const handout = poll.body.sessions.find((candidate: { session_id: string }) => candidate.session_id === requested.body.session_id);
      const launcher = await joinAsLauncher(logbook.url, handout.session_id, handout.secret);
      const operator = await joinAsOperator(logbook.url, handout.session_id, token);
      operator.send('1ZWNobyBoaQ==');
      await launcher.waitFor(() => launcher.frames.includes('1ZWNobyBoaQ=='), 'the operator frame relayed');

      assert.equal((await session.post('/api/v1/fleet/logout')).status, 200);

      for (const watcher of [ws, sockjs]) {
        assert.deepEqual(await watcher.closed, { code: 4401, reason: 'session logged out' });
        assert.equal(lastError(watcher), 'auth: the session logged out; log in again');
      }
      assert.deepEqual(await socketio.closed, { code: 'io server disconnect', reason: 'io server disconnect' });
      assert.equal(lastError(socketio), 'auth: the session logged out; log in again');
      for (const side of [operator, launcher]) assert.deepEqual(await side.closed, { code: 4401, reason: "the operator's session logged out" });

      const again = await connectWebSocketWatcher(base);
      again.send('auth', { token });
      again.send('select_campaign', { campaign_id: campaignId });
      assert.match((await again.waitFor((frame) => frame.type === 'error' && /authenticate first/.test(frame.data))).data, /authenticate first/);
      assert.equal(again.frames.filter(isType('error'))[0].data, 'auth: invalid or expired token');
      const operatorAgain = await joinAsOperator(logbook.url, handout.session_id, token);
      assert.equal((await operatorAgain.closed).code, 4401);

      other.send('select_campaign', { campaign_id: campaignId });
      await other.waitForCount(isType('totals'), 2); // another session's watcher still selects
      for (const client of [other, again]) client.close();
    });
  });

  describe('session expiry', () => {
    let logbook: LogbookProcess;

    before(async () => {
      logbook = await startLogbook({ env: { SESSION_TTL_HOURS: '0.0005' } }); // 1.8 s
    });
    after(() => logbook.stop());

    it('closes a watcher when its session expires', async () => {
      const admin = await setUpAdmin(logbook.url);
      const watcher = await connectWebSocketWatcher(wsUrl(logbook.url, ''));
      watcher.send('auth', { token: admin.token });
      watcher.send('select_campaign', { campaign_id: 999 });
      assert.match((await watcher.waitFor(isType('error'))).data, /no campaign with id 999/);
      assert.deepEqual(await watcher.closed, { code: 4401, reason: 'session expired' });
      assert.equal(lastError(watcher), 'auth: the session expired; log in again');
    });
  });
});
