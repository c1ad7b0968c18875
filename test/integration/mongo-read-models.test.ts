/**
 * Logbook with its read models in MongoDB (the mongo-java-server stand-in): the spec GETs are
 * served from the Mongo read models, and a restart resumes from the checkpoint stored there.
 */
import assert from 'node:assert/strict';
import * as reference from '../fixtures/reference-specs';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { mongoUrl } from '../support/mongo-stand-in';

describe('read models in MongoDB (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let env: Record<string, string>;

  before(async () => {
    env = { MONGO_URL: await mongoUrl(), MONGO_DB: `logbook_${process.pid}_${Date.now()}` };
    logbook = await startLogbook({ env });
    admin = await setUpAdmin(logbook.url);
  });
  after(() => logbook.stop());

  it('serves applied specs, their history and built-in labels', async () => {
    assert.equal((await admin.post('/api/v1/fleet/spec/queries', reference.applyQueries)).status, 200);
    assert.equal((await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'uptime', query: 'SELECT * FROM uptime' }] })).status, 200);
    const one = await admin.get('/api/v1/fleet/spec/queries/uptime');
    assert.equal(one.status, 200);
    assert.equal(one.body.specs.query, 'SELECT * FROM uptime');
    const all = (await admin.get('/api/v1/fleet/spec/queries')).body.specs.map((spec: { name: string }) => spec.name);
    for (const spec of reference.applyQueries.specs) assert.ok(all.includes(spec.name), spec.name);
    const labels = (await admin.get('/api/v1/fleet/spec/labels')).body.specs;
    assert.ok(labels.some((label: { name: string; label_type: string }) => label.name === 'All Hosts' && label.label_type === 'builtin'));
    assert.equal((await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'uptime', query: 'SELECT days FROM uptime' }] })).status, 200);
    const history = (await admin.get('/api/v1/fleet/spec/queries/uptime/history')).body.history;
    assert.deepEqual(history.map((entry: { version: number }) => entry.version), [1, 2]);
  });

  it('keeps the read models and resumes projecting after kill -9', async () => {
    const before = (await admin.get('/api/v1/fleet/spec/queries')).body;
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env });
    const client = new FleetClient(logbook.url, admin.token);
    assert.deepEqual((await client.get('/api/v1/fleet/spec/queries')).body, before);
    assert.equal((await client.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'after-restart', query: 'SELECT 2' }] })).status, 200);
    assert.equal((await client.get('/api/v1/fleet/spec/queries/after-restart')).body.specs.query, 'SELECT 2');
  });
});
