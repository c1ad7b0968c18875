/**
 * Remote shells, black box: the launcher's poll and WebSocket, the operator's request and
 * WebSocket, the session list and the activity feed, with a real login shell under a pty
 * (the launcher simulator) and with hand-driven launchers for the bad cases.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startLauncherSimulator, type LauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import { createUser, setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, enrollHost, ENROLL_SECRET, joinAsLauncher, joinAsOperator, pollShells, RecordingSocket, wsUrl } from '../support/shell-client';

async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function closedSession(admin: FleetClient, sessionId: string): Promise<any> {
  const shells = await eventually(
    async () => (await admin.get('/api/v1/fleet/shells')).body.shells as any[],
    (list) => list.some((shell) => shell.session_id === sessionId && shell.status === 'closed'),
    `session ${sessionId} recorded as closed`,
  );
  return shells.find((shell) => shell.session_id === sessionId);
}

/** A host that enrolled and polled once (so it opted in); returns its node key and id. */
async function optedInHost(logbook: LogbookProcess, admin: FleetClient, identifier: string): Promise<{ nodeKey: string; id: number }> {
  const nodeKey = await enrollHost(logbook.url, identifier);
  assert.equal((await pollShells(logbook.url, nodeKey)).status, 200);
  const hosts = await eventually(
    async () => (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>,
    (list) => list.some((candidate) => candidate.hostname === identifier),
    `host ${identifier} listed as shell-enabled`,
  );
  return { nodeKey, id: hosts.find((candidate) => candidate.hostname === identifier)!.host_id };
}

/** Requests a session as `admin` and collects its secret with the host's poll. */
async function requestedSession(logbook: LogbookProcess, admin: FleetClient, host: { nodeKey: string; id: number }): Promise<{ sessionId: string; secret: string }> {
  const res = await admin.post(`/api/v1/fleet/hosts/${host.id}/shells`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'requested');
  const poll = await pollShells(logbook.url, host.nodeKey);
  const session = poll.body.sessions.find((candidate: { session_id: string }) => candidate.session_id === res.body.session_id);
  assert.ok(session, 'the host collects the session on its next poll');
  return { sessionId: session.session_id, secret: session.secret };
}

describe('remote shell', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook({ env: { SHELL_SECRET_TTL_MS: '2000' } });
    admin = await setUpAdmin(logbook.url);
    await applyEnrollSecret(admin);
  });
  after(() => logbook.stop());

  describe('launcher poll', () => {
    it('tells an unknown node key to re-enroll', async () => {
      const res = await pollShells(logbook.url, 'not-a-node-key');
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { sessions: [], error: 'invalid node key', node_invalid: true });
      assert.equal((await pollShells(logbook.url, 42)).body.node_invalid, true);
    });

    it('answers no sessions to a host nobody asked a shell of', async () => {
      const nodeKey = await enrollHost(logbook.url, 'quiet-host');
      assert.deepEqual((await pollShells(logbook.url, nodeKey)).body, { sessions: [], error: '', node_invalid: false });
    });

    it('refuses a body that is not JSON', async () => {
      const res = await fetch(`${logbook.url}/api/v1/shells`, { method: 'POST', body: '{"node_key":' });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { node_invalid: boolean }).node_invalid, false);
    });
  });

  describe('requesting a shell', () => {
    it('refuses a host whose launcher never polled, and an unknown host', async () => {
      await enrollHost(logbook.url, 'never-polled');
      const later = await optedInHost(logbook, admin, 'polled-later');
      const neverPolledId = later.id - 1;
      const res = await admin.post(`/api/v1/fleet/hosts/${neverPolledId}/shells`);
      assert.equal(res.status, 400);
      assert.match(res.body.errors[0].reason, /not enabled remote shells/);
      assert.equal((await admin.post('/api/v1/fleet/hosts/999999/shells')).status, 404);
    });

    it('is for admins only', async () => {
      const host = await optedInHost(logbook, admin, 'rights-host');
      for (const role of ['maintainer', 'observer'] as const) {
        const user = await createUser(admin, role);
        assert.equal((await user.post(`/api/v1/fleet/hosts/${host.id}/shells`)).status, 403, role);
        assert.equal((await user.get('/api/v1/fleet/shells')).status, 403, role);
      }
      assert.equal((await admin.withToken(null).post(`/api/v1/fleet/hosts/${host.id}/shells`)).status, 401);
    });
  });

  describe('a session with a real shell', () => {
    let simulator: LauncherSimulator;
    before(async () => {
      simulator = await startLauncherSimulator({ url: logbook.url, enrollSecret: ENROLL_SECRET, hostname: 'sim-host', pollIntervalMs: 100, shell: '/bin/bash' });
    });
    after(() => simulator.stop());

    it('relays typing, output and resizes, and records the session from request to close', async () => {
      const hosts = (await eventually(async () => (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as any[], (list) => list.some((h) => h.hostname === 'sim-host'), 'sim-host enabled'));
      const host = hosts.find((candidate) => candidate.hostname === 'sim-host');
      assert.ok(host.last_poll_at, 'last poll time known');
      const requested = await admin.post(`/api/v1/fleet/hosts/${host.host_id}/shells`);
      const sessionId = requested.body.session_id as string;
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      operator.send('1echo "sum=$((40+2))"\r');
      await operator.waitForOutput(/sum=42/);
      operator.send('3' + JSON.stringify({ columns: 123, rows: 37 }));
      operator.send('1stty size\r');
      await operator.waitForOutput(/37 123/);
      operator.send('2');
      await operator.waitFor(() => operator.frames.includes('2'), 'pong');
      assert.ok(operator.frames.includes('3sim-host'), 'window title relayed');
      operator.socket.close(1000);
      await operator.closed;
      await eventually(async () => simulator.activeSessions(), (count) => count === 0, 'the launcher to end its shell');

      const shell = await closedSession(admin, sessionId);
      assert.equal(shell.host_id, host.host_id);
      assert.equal(shell.hostname, 'sim-host');
      assert.deepEqual(shell.operator, { id: 1, email: 'admin@example.com' });
      assert.equal(shell.close_reason, 'the operator closed the shell');
      assert.equal(shell.closed_by, 'operator');
      assert.ok(shell.launcher_joined_at && shell.operator_joined_at && shell.closed_at);
      assert.ok(shell.bytes_to_launcher > 20 && shell.bytes_from_launcher > shell.bytes_to_launcher, JSON.stringify(shell));

      const activities = (await admin.get('/api/v1/fleet/activities?per_page=100')).body.activities as any[];
      const mine = activities.filter((activity) => activity.details.session_id === sessionId);
      assert.deepEqual(mine.map((activity) => activity.type).sort(), ['closed_remote_shell', 'opened_remote_shell']);
      const closed = mine.find((activity) => activity.type === 'closed_remote_shell');
      assert.equal(closed.actor_email, 'admin@example.com');
      assert.equal(closed.details.reason, 'the operator closed the shell');
      assert.equal(closed.details.host_display_name, 'sim-host');
    });

    it('closes the operator side with a reason when the shell exits', async () => {
      const host = ((await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as any[]).find((candidate) => candidate.hostname === 'sim-host');
      const sessionId = (await admin.post(`/api/v1/fleet/hosts/${host.host_id}/shells`)).body.session_id;
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      operator.send('1exit\r');
      assert.deepEqual(await operator.closed, { code: 1000, reason: 'the shell on the host ended' });
      const shell = await closedSession(admin, sessionId);
      assert.equal(shell.closed_by, 'launcher');
    });
  });

  describe('session secrets', () => {
    let host: { nodeKey: string; id: number };
    before(async () => {
      host = await optedInHost(logbook, admin, 'secret-host');
    });

    it('accepts the secret as the first frame', async () => {
      const { sessionId, secret } = await requestedSession(logbook, admin, host);
      const launcher = await joinAsLauncher(logbook.url, sessionId, secret, 'frame');
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      operator.send('1ls\r');
      await launcher.waitFor(() => launcher.frames.includes('1ls\r'), 'input relayed to the launcher');
      launcher.send(`1${Buffer.from('file-a\r\n').toString('base64')}`);
      await operator.waitForOutput(/file-a/);
      launcher.socket.close(1000);
      assert.equal((await operator.closed).code, 1000);
    });

    it('ignores a redundant "0"+secret auth frame from a launcher that authenticated with the Bearer header', async () => {
      const { sessionId, secret } = await requestedSession(logbook, admin, host);
      const launcher = await joinAsLauncher(logbook.url, sessionId, secret, 'header');
      launcher.send(`0${secret}`);
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      operator.send('1pwd\r');
      await launcher.waitFor(() => launcher.frames.includes('1pwd\r'), 'input relayed to the launcher');
      launcher.send(`1${Buffer.from('/home/user\r\n').toString('base64')}`);
      await operator.waitForOutput(/\/home\/user/);
      assert.ok(!operator.frames.some((frame) => frame.includes(secret)), 'the secret never reaches the operator');
      launcher.socket.close(1000);
      assert.equal((await operator.closed).code, 1000);
      assert.equal((await closedSession(admin, sessionId)).closed_by, 'launcher');
    });

    it('refuses a wrong secret, and a secret used once already', async () => {
      const { sessionId, secret } = await requestedSession(logbook, admin, host);
      const wrong = await joinAsLauncher(logbook.url, sessionId, 'not-the-secret');
      assert.deepEqual(await wrong.closed, { code: 4401, reason: 'the session secret is not valid for this session' });
      const first = await joinAsLauncher(logbook.url, sessionId, secret);
      const again = await joinAsLauncher(logbook.url, sessionId, secret, 'frame');
      assert.equal((await again.closed).code, 4401);
      first.socket.close(1000);
      await first.closed;
    });

    it("refuses a host's secret on another host's session", async () => {
      const other = await optedInHost(logbook, admin, 'other-host');
      const mine = await requestedSession(logbook, admin, host);
      const theirs = await requestedSession(logbook, admin, other);
      const intruder = await joinAsLauncher(logbook.url, mine.sessionId, theirs.secret);
      assert.equal((await intruder.closed).code, 4401);
      assert.deepEqual((await pollShells(logbook.url, other.nodeKey)).body.sessions, [], 'secrets are handed out once');
    });

    it('lets a secret expire unused, and records the session as closed', async () => {
      const { sessionId, secret } = await requestedSession(logbook, admin, host);
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      const closed = await operator.closed;
      assert.equal(closed.code, 4408);
      assert.match(closed.reason, /did not join before the session secret expired/);
      const late = await joinAsLauncher(logbook.url, sessionId, secret);
      assert.equal((await late.closed).code, 4401);
      const shell = await closedSession(admin, sessionId);
      assert.equal(shell.closed_by, 'logbook');
      assert.equal(shell.launcher_joined_at, null);
    });
  });

  describe('operators joining', () => {
    let host: { nodeKey: string; id: number };
    before(async () => {
      host = await optedInHost(logbook, admin, 'operator-host');
    });

    it('refuses a bad first frame, a bad token, a non-admin and another admin', async () => {
      const { sessionId } = await requestedSession(logbook, admin, host);
      const garbage = await joinAsOperator(logbook.url, sessionId, 'x');
      assert.equal((await garbage.closed).code, 4401);
      const raw = new RecordingSocket(new WebSocket(wsUrl(logbook.url, `/api/v1/fleet/shells/${sessionId}/websocket`)));
      await raw.opened;
      raw.send('hello');
      assert.equal((await raw.closed).code, 4400);
      const maintainer = await createUser(admin, 'maintainer');
      assert.equal((await (await joinAsOperator(logbook.url, sessionId, maintainer.token!)).closed).code, 4403);
      const otherAdmin = await createUser(admin, 'admin');
      const refused = await (await joinAsOperator(logbook.url, sessionId, otherAdmin.token!)).closed;
      assert.equal(refused.code, 4403);
      assert.match(refused.reason, /another operator/);
    });
  });

  describe('bad frames and vanishing sides', () => {
    let host: { nodeKey: string; id: number };
    before(async () => {
      host = await optedInHost(logbook, admin, 'frames-host');
    });

    async function openSession() {
      const { sessionId, secret } = await requestedSession(logbook, admin, host);
      const launcher = await joinAsLauncher(logbook.url, sessionId, secret);
      const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
      operator.send('2');
      await launcher.waitFor(() => launcher.frames.includes('2'), 'the relay to run');
      return { sessionId, launcher, operator };
    }

    it('closes both sides when the operator sends an unparsable resize', async () => {
      const { sessionId, launcher, operator } = await openSession();
      operator.send('3{"columns": "wide"');
      const [toOperator, toLauncher] = await Promise.all([operator.closed, launcher.closed]);
      assert.equal(toOperator.code, 4400);
      assert.match(toOperator.reason, /invalid frame from the operator/);
      assert.deepEqual(toLauncher, toOperator);
      assert.match((await closedSession(admin, sessionId)).close_reason, /invalid frame from the operator/);
    });

    it('closes both sides on an unknown frame type from the launcher', async () => {
      const { sessionId, launcher, operator } = await openSession();
      launcher.send('9what');
      assert.equal((await operator.closed).code, 4400);
      assert.equal((await launcher.closed).code, 4400);
      assert.match((await closedSession(admin, sessionId)).close_reason, /invalid frame from the launcher/);
    });

    it('closes both sides on an oversized frame', async () => {
      const { sessionId, launcher, operator } = await openSession();
      operator.send('1' + 'x'.repeat(100 * 1024));
      assert.equal((await operator.closed).code, 1009);
      const toLauncher = await launcher.closed;
      assert.equal(toLauncher.code, 1009);
      assert.match(toLauncher.reason, /larger than the limit/);
      assert.match((await closedSession(admin, sessionId)).close_reason, /operator sent a frame larger than the limit/);
    });

    it('tells the operator when the launcher vanishes mid-session', async () => {
      const { sessionId, launcher, operator } = await openSession();
      launcher.socket.terminate();
      assert.deepEqual(await operator.closed, { code: 4410, reason: 'the launcher connection was lost' });
      const shell = await closedSession(admin, sessionId);
      assert.equal(shell.closed_by, 'launcher');
      assert.ok(shell.bytes_to_launcher >= 1);
    });
  });
});

describe('remote shell idle timeout', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  after(() => logbook?.stop());

  it('closes both sides of a session nobody types in', async () => {
    logbook = await startLogbook({ env: { SHELL_IDLE_TIMEOUT_MS: '600' } });
    const admin = await setUpAdmin(logbook.url);
    await applyEnrollSecret(admin);
    const host = await optedInHost(logbook, admin, 'idle-host');
    const { sessionId, secret } = await requestedSession(logbook, admin, host);
    const launcher = await joinAsLauncher(logbook.url, sessionId, secret);
    const operator = await joinAsOperator(logbook.url, sessionId, admin.token!);
    const [toOperator, toLauncher] = await Promise.all([operator.closed, launcher.closed]);
    assert.equal(toOperator.code, 4408);
    assert.match(toOperator.reason, /idle timeout/);
    assert.equal(toLauncher.code, 4408);
    assert.match((await closedSession(admin, sessionId)).close_reason, /idle timeout/);
  });
});
