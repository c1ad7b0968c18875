/**
 * Every /api/v1 route is also served at /api/latest (black box): the operator API, the osquery
 * API's lean handler, the launcher poll, the status routes, the results sockets (raw WebSocket and
 * SockJS) and the operator's shell socket, all through the one rewrite (shared/http/api-latest.ts).
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, ENROLL_SECRET, RecordingSocket, wsUrl } from '../support/shell-client';

describe('/api/latest serves every /api/v1 route (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await applyEnrollSecret(admin);
  });
  after(() => logbook.stop());

  it('answers the operator API, with authentication, at /api/latest/fleet', async () => {
    const me = await admin.get('/api/latest/fleet/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'admin@example.com');
    assert.equal((await admin.withToken(null).get('/api/latest/fleet/me')).status, 401);
    const applied = await admin.post('/api/latest/fleet/spec/queries', { specs: [{ name: 'latest-query', query: 'SELECT 1' }] });
    assert.equal(applied.status, 200);
    assert.equal((await admin.get('/api/v1/fleet/spec/queries/latest-query')).body.specs.query, 'SELECT 1');
    assert.equal((await admin.get('/api/latest/fleet/status/result_store')).status, 200);
  });

  it('serves the osquery API and the launcher poll at /api/latest', async () => {
    const enrolled = await fetch(`${logbook.url}/api/latest/osquery/enroll`, {
      method: 'POST',
      body: JSON.stringify({ enroll_secret: ENROLL_SECRET, host_identifier: 'latest-host', host_details: { system_info: { hostname: 'latest-host' } } }),
    });
    const { node_key: nodeKey } = (await enrolled.json()) as { node_key: string };
    assert.equal(enrolled.status, 200);
    const config = await fetch(`${logbook.url}/api/latest/osquery/config`, { method: 'POST', body: JSON.stringify({ node_key: nodeKey }) });
    assert.equal(config.status, 200);
    assert.ok(((await config.json()) as { options?: object }).options);
    const poll = await fetch(`${logbook.url}/api/latest/shells`, { method: 'POST', body: JSON.stringify({ node_key: nodeKey }) });
    assert.equal(poll.status, 200);
    assert.deepEqual(((await poll.json()) as { sessions: unknown[] }).sessions, []);
  });

  it('upgrades the results WebSocket at /api/latest/fleet/results/websocket and speaks its protocol', async () => {
    const socket = new RecordingSocket(new WebSocket(wsUrl(logbook.url, '/api/latest/fleet/results/websocket')));
    await socket.opened;
    socket.send(JSON.stringify({ type: 'auth', data: { token: admin.token } }));
    socket.send(JSON.stringify({ type: 'select_campaign', data: { campaign_id: 987654 } }));
    await socket.waitFor(() => socket.frames.some((frame) => JSON.parse(frame).type === 'error'), 'an error frame for an unknown campaign');
    socket.socket.close();
  });

  it('serves SockJS at /api/latest/fleet/results', async () => {
    const info = await fetch(`${logbook.url}/api/latest/fleet/results/info`);
    assert.equal(info.status, 200);
    assert.equal(((await info.json()) as { websocket: boolean }).websocket, true);
  });

  it('upgrades the operator shell socket at /api/latest/fleet/shells/{id}/websocket (an unknown session is refused by the broker, not 404)', async () => {
    const socket = new RecordingSocket(new WebSocket(wsUrl(logbook.url, '/api/latest/fleet/shells/no-such-session/websocket')));
    await socket.opened;
    socket.send(JSON.stringify({ type: 'auth', data: { token: admin.token } }));
    const closed = await socket.closed;
    assert.ok(closed.code >= 4000, `closed by the broker with an application code, got ${closed.code} ${closed.reason}`);
  });

  it('leaves other prefixes alone: /api/latestx is not a route', async () => {
    assert.equal((await admin.get('/api/latestx/fleet/me')).status, 404);
  });
});
