/**
 * Issue 11, what held and must keep holding: node keys and operator tokens are kept apart;
 * shell secrets are single-use and bound to their host's session; tokens and shell secrets
 * carry 256 bits; no secret (password, token, node key, enroll secret, shell secret) appears in
 * the server's output, even at LOG_LEVEL=trace.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, ENROLL_SECRET, enrollHost, joinAsLauncher, pollShells } from '../support/shell-client';

const bytesOf = (token: string) => Buffer.from(token, 'base64url').length;

describe('reliability: secrets stay apart, single-use and out of the logs (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  const secrets: string[] = [ADMIN.password, ENROLL_SECRET];

  before(async () => {
    logbook = await startLogbook({ env: { LOG_LEVEL: 'trace' } });
    admin = await setUpAdmin(logbook.url);
    secrets.push(admin.token!);
    await applyEnrollSecret(admin);
  });
  after(() => logbook.stop());

  async function optedIn(identifier: string): Promise<{ nodeKey: string; id: number }> {
    const nodeKey = await enrollHost(logbook.url, identifier);
    secrets.push(nodeKey);
    assert.equal((await pollShells(logbook.url, nodeKey)).status, 200);
    const id = await eventually(async () => {
      const found = ((await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>).find((host) => host.hostname === identifier);
      assert.ok(found);
      return found.host_id;
    });
    return { nodeKey, id };
  }

  async function sessionFor(host: { nodeKey: string; id: number }): Promise<{ sessionId: string; secret: string }> {
    const res = await admin.post(`/api/v1/fleet/hosts/${host.id}/shells`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const session = (await pollShells(logbook.url, host.nodeKey)).body.sessions.find((s: { session_id: string }) => s.session_id === res.body.session_id);
    secrets.push(session.secret);
    return { sessionId: session.session_id, secret: session.secret };
  }

  it('refuses a node key as an operator token, and an operator token as a node key', async () => {
    const host = await optedIn('apart-host');
    const asToken = new FleetClient(logbook.url, host.nodeKey);
    for (const path of ['/api/v1/fleet/me', '/api/v1/fleet/hosts', '/api/v1/fleet/spec/queries']) assert.equal((await asToken.get(path)).status, 401, path);
    for (const endpoint of ['config', 'distributed/read']) {
      const res = await new FleetClient(logbook.url).post(`/api/v1/osquery/${endpoint}`, { node_key: admin.token });
      assert.equal(res.status, 401, endpoint);
      assert.equal(res.body.node_invalid, true);
    }
    assert.equal((await pollShells(logbook.url, admin.token)).status, 401, 'the launcher poll refuses an operator token');
  });

  it('accepts a shell secret once, and only on its own session', async () => {
    const mine = await optedIn('secret-owner');
    const other = await optedIn('secret-other');
    const first = await sessionFor(mine);
    const theirs = await sessionFor(other);
    const intruder = await joinAsLauncher(logbook.url, first.sessionId, theirs.secret);
    assert.equal((await intruder.closed).code, 4401, "another host's secret is refused");
    const joined = await joinAsLauncher(logbook.url, first.sessionId, first.secret);
    const again = await joinAsLauncher(logbook.url, first.sessionId, first.secret, 'frame');
    assert.equal((await again.closed).code, 4401, 'a secret used once is refused');
    joined.socket.close();
    await joined.closed;
    assert.equal((await new FleetClient(logbook.url, first.secret).get('/api/v1/fleet/me')).status, 401, 'a shell secret is no operator token');
  });

  it('issues tokens and shell secrets of 256 bits', async () => {
    const login = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
    secrets.push(login.body.token);
    for (const token of [admin.token!, login.body.token]) assert.equal(bytesOf(token), 32, `token ${token.length} chars`);
    const { secret } = await sessionFor(await optedIn('entropy-host'));
    assert.equal(bytesOf(secret), 32, 'shell secret');
    assert.notEqual(login.body.token, admin.token);
  });

  it('writes no secret to its output, even at trace level', async () => {
    // Failed attempts carry secrets too: a wrong password and a wrong enroll secret.
    const wrong = 'wrong-password-Zq9!';
    await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: wrong });
    await new FleetClient(logbook.url).post('/api/v1/osquery/enroll', { enroll_secret: 'wrong-enroll-Zq9', host_identifier: 'x' });
    secrets.push(wrong, 'wrong-enroll-Zq9');
    assert.ok(logbook.output.some((line) => line.includes('"logLevel":"trace"')), 'the server runs at trace level');
    const output = logbook.output.join('\n');
    const leaked = secrets.filter((secret) => output.includes(secret));
    assert.deepEqual(leaked.map((secret) => `${secret.slice(0, 4)}… (${secret.length} chars)`), [], 'secrets found in the logs');
  });
});
