/**
 * Bounds on operator API bodies (depth, keys per object, string length, prototype keys), black
 * box: a body out of bounds is refused with Fleet's 422 naming the limit, applies nothing, and
 * leaves the service whole. Issue 11: a 3,000-deep team spec used to be accepted and then stop
 * the projector for good.
 */
import assert from 'node:assert/strict';
import { OPERATOR_BODY_BOUNDS } from '../../shared/http/json-bounds';
import * as reference from '../fixtures/reference-specs';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const TEAMS = '/api/v1/fleet/spec/teams';

/** `{a: {a: ... {}}}`, `depth` objects deep (the innermost `{}` included). */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
}

function assertRefused(res: { status: number; body: any }, name: RegExp, reason: RegExp): void {
  assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 500));
  assert.equal(res.body.message, 'Validation Failed');
  assert.equal(res.body.errors.length, 1);
  assert.match(res.body.errors[0].name, name);
  assert.match(res.body.errors[0].reason, reason);
}

describe('operator API body bounds (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
  });
  after(() => logbook.stop());

  it('refuses a team spec with agent_options nested 3,000 deep, applies nothing, and stays whole', async () => {
    const body = { specs: [{ name: 'deep-team', agent_options: nested(3_000) }] };
    assert.ok(JSON.stringify(body).length > 18_000);
    assertRefused(await admin.post(TEAMS, body), /^specs\.0\.agent_options(\.a)+$/, /deeper than the limit of 32 levels/);
    assert.equal((await admin.get(`${TEAMS}/deep-team`)).status, 404);
    // The projector still runs: a new login's token works, an apply reads back, /healthz is ok.
    const login = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200);
    assert.equal((await admin.withToken(login.body.token).get('/api/v1/fleet/me')).status, 200);
    assert.equal((await admin.post(TEAMS, { specs: [{ name: 'after-deep', agent_options: { config: {} } }] })).status, 200);
    assert.equal((await admin.get(`${TEAMS}/after-deep`)).status, 200);
    assert.deepEqual(await (await fetch(`${logbook.url}/healthz`)).json(), { status: 'ok' });
  });

  it('accepts Fleet\'s own agent_options, and nesting up to the depth limit exactly', async () => {
    assert.equal((await admin.post(TEAMS, reference.applyTeams)).status, 200);
    const read = await admin.get(`${TEAMS}/Client%20Platform%20Engineering`);
    assert.deepEqual(read.body.specs.agent_options, reference.applyTeams.specs[0].agent_options);
    // body, specs, the spec and agent_options are 4 levels: agent_options may hold 28 more.
    const limit = OPERATOR_BODY_BOUNDS.maxDepth;
    assert.equal((await admin.post(TEAMS, { specs: [{ name: 'at-limit', agent_options: nested(limit - 3) }] })).status, 200);
    assert.equal((await admin.get(`${TEAMS}/at-limit`)).status, 200);
    assertRefused(await admin.post(TEAMS, { specs: [{ name: 'over-limit', agent_options: nested(limit - 2) }] }), /^specs\.0\.agent_options/, /limit of 32 levels/);
    assert.equal((await admin.get(`${TEAMS}/over-limit`)).status, 404);
  });

  it('refuses an object with more keys than the limit, and a string longer than the limit', async () => {
    const manyKeys = Object.fromEntries(Array.from({ length: OPERATOR_BODY_BOUNDS.maxKeysPerObject + 1 }, (_, i) => [`option_${i}`, i]));
    assertRefused(await admin.post(TEAMS, { specs: [{ name: 'wide', agent_options: { config: { options: manyKeys } } }] }), /^specs\.0\.agent_options\.config\.options$/, /1001 keys, over the limit of 1000/);
    const long = 'x'.repeat(OPERATOR_BODY_BOUNDS.maxStringLength + 1);
    assertRefused(await admin.post(TEAMS, { specs: [{ name: 'long', agent_options: { note: long } }] }), /^specs\.0\.agent_options\.note$/, /over the limit of 262144/);
    assert.equal((await admin.get(`${TEAMS}/wide`)).status, 404);
    assert.equal((await admin.get(`${TEAMS}/long`)).status, 404);
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses the key ${key} in any body as an unknown field`, async () => {
      const raw = (text: string) => admin.request('POST', TEAMS, text, { 'content-type': 'application/json' });
      assertRefused(await raw(`{"specs": [{"name": "proto-team", "agent_options": {"config": {"${key}": {"admin": true}}}}]}`), new RegExp(`^specs\\.0\\.agent_options\\.config\\.${key}$`), /is not allowed \(unknown field\)/);
      assert.equal((await admin.get(`${TEAMS}/proto-team`)).status, 404);
      const login = await new FleetClient(logbook.url).request('POST', '/api/v1/fleet/login', `{"email": "${ADMIN.email}", "password": "${ADMIN.password}", "${key}": {}}`);
      assertRefused(login, new RegExp(`^${key}$`), /unknown field/);
    });
  }
});
