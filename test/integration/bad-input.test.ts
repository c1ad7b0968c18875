/** Bad requests get Fleet's error shape and a 4xx, never a 5xx, and apply nothing. */
import assert from 'node:assert/strict';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

function assertFleetError(res: { status: number; body: any }, status: number, field?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body.message, 'string');
  assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0);
  for (const error of res.body.errors) {
    assert.equal(typeof error.name, 'string');
    assert.equal(typeof error.reason, 'string');
  }
  if (field) assert.ok(res.body.errors.some((error: { name: string }) => error.name.startsWith(field)), JSON.stringify(res.body.errors));
}

describe('bad input (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook({ env: { BODY_LIMIT: '16kb' } });
    admin = await setUpAdmin(logbook.url);
  });
  after(() => logbook.stop());

  const queries = '/api/v1/fleet/spec/queries';

  it('answers 400 to malformed JSON', async () => {
    assertFleetError(await admin.request('POST', queries, '{"specs": [', { 'content-type': 'application/json' }), 400);
    assertFleetError(await admin.request('POST', '/api/v1/fleet/login', 'not json'), 400);
  });

  it('answers 413 to a body over the limit', async () => {
    const huge = { specs: [{ name: 'big', query: 'x'.repeat(20_000) }] };
    assertFleetError(await admin.post(queries, huge), 413);
  });

  it('answers 422 naming the field for wrong types, missing fields, bad names and unknown fields', async () => {
    assertFleetError(await admin.post(queries, {}), 422, 'specs');
    assertFleetError(await admin.post(queries, { specs: 'all of them' }), 422, 'specs');
    assertFleetError(await admin.post(queries, { specs: [{ name: 'q' }] }), 422, 'specs.0.query');
    assertFleetError(await admin.post(queries, { specs: [{ name: 42, query: 'SELECT 1' }] }), 422, 'specs.0.name');
    assertFleetError(await admin.post(queries, { specs: [{ name: '', query: 'SELECT 1' }] }), 422, 'specs.0.name');
    assertFleetError(await admin.post(queries, { specs: [{ name: '   ', query: 'SELECT 1' }] }), 422, 'specs.0.name');
    assertFleetError(await admin.post(queries, { specs: [{ name: 'n'.repeat(256), query: 'SELECT 1' }] }), 422, 'specs.0.name');
    assertFleetError(await admin.post(queries, { specs: [{ name: 'q', query: 'SELECT 1', colour: 'blue' }] }), 422, 'specs.0.colour');
    assertFleetError(await admin.post('/api/v1/fleet/spec/packs', { specs: [{ name: 'p', queries: [{ query: 'x', interval: 'often' }] }] }), 422, 'specs.0.queries.0.interval');
    assertFleetError(await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{}] } }), 422, 'spec.secrets.0.secret');
    assertFleetError(await admin.post(queries, [1, 2, 3]), 422);
    assertFleetError(await admin.post(queries, { specs: [{ name: 'dup', query: 'a' }, { name: 'dup', query: 'b' }] }), 422, 'specs');
  });

  it('applies nothing of a request with one bad spec', async () => {
    await admin.post(queries, { specs: [{ name: 'known', query: 'SELECT 1' }] });
    const res = await admin.post('/api/v1/fleet/spec/packs', {
      specs: [
        { name: 'good-pack', queries: [{ query: 'known', interval: 60 }] },
        { name: 'bad-pack', queries: [{ query: 'unknown-query', interval: 60 }] },
      ],
    });
    assertFleetError(res, 422, 'queries');
    assert.equal((await admin.get('/api/v1/fleet/spec/packs/good-pack')).status, 404);
    const labels = await admin.post('/api/v1/fleet/spec/labels', {
      specs: [
        { name: 'fine-label', query: 'select 1' },
        { name: 'All Hosts', query: 'select 2' },
      ],
    });
    assertFleetError(labels, 422);
    assert.equal((await admin.get('/api/v1/fleet/spec/labels/fine-label')).status, 404);
  });

  it('answers 404 in Fleet shape for unknown routes and spec kinds', async () => {
    assertFleetError(await admin.get('/api/v1/fleet/spec/widgets'), 404);
    assertFleetError(await admin.get('/api/v1/fleet/no/such/route'), 404);
  });

  it('refuses bad setup and login bodies with 422', async () => {
    const anonymous = new FleetClient(logbook.url);
    assertFleetError(await anonymous.post('/api/v1/fleet/login', { email: 'a@example.com' }), 422, 'password');
    assertFleetError(await anonymous.post('/api/v1/setup', { admin: { email: 'nope' } }), 422);
  });

  it('still serves after all that, and logged no server error', async () => {
    assert.equal((await admin.get(queries)).status, 200);
    assert.ok(!logbook.output.some((line) => line.includes('"request failed"')), 'a request failed with a 500');
  });
});
