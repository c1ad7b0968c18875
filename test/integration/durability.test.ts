/** What a user applied survives kill -9; concurrent applies lose nothing; rebuilt models equal live ones. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import * as reference from '../fixtures/reference-specs';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const READ_PATHS = [
  '/api/v1/fleet/spec/queries',
  '/api/v1/fleet/spec/packs',
  '/api/v1/fleet/spec/labels',
  '/api/v1/fleet/spec/policies',
  '/api/v1/fleet/spec/enroll_secret',
  '/api/v1/fleet/spec/queries/contended/history',
  '/api/v1/fleet/spec/teams/Client%20Platform%20Engineering/history',
  '/api/v1/fleet/users',
];

async function snapshot(client: FleetClient): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const path of READ_PATHS) result[path] = (await client.get(path)).body;
  const activities = (await client.get('/api/v1/fleet/activities?per_page=1000')).body.activities;
  result.activities = activities.filter((activity: { type: string }) => activity.type !== 'user_logged_in');
  return result;
}

function runRebuild(dataDir: string): Promise<string> {
  const script = resolve(__dirname, '../../services/projector/rebuild-main.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => (code === 0 ? done(stderr) : fail(new Error(`rebuild exited ${code}: ${stderr}`))));
  });
}

describe('durability (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/queries', reference.queriesForPacks);
    for (const [path, body] of [
      ['queries', reference.applyQueries],
      ['packs', reference.applyPacks],
      ['labels', reference.applyLabels],
      ['teams', reference.applyTeams],
      ['policies', reference.applyPolicies],
    ] as const) {
      assert.equal((await admin.post(`/api/v1/fleet/spec/${path}`, body)).status, 200, path);
    }
    await admin.post('/api/v1/fleet/spec/enroll_secret', reference.applyEnrollSecret);
  });
  after(() => logbook.stop());

  it('turns 40 concurrent applies of one spec into exactly 40 versions', async () => {
    const applies = Array.from({ length: 40 }, (_, index) =>
      admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'contended', description: `writer ${index}`, query: 'SELECT 1' }] }),
    );
    const statuses = (await Promise.all(applies)).map((res) => res.status);
    assert.deepEqual(statuses, Array(40).fill(200));
    const history = (await admin.get('/api/v1/fleet/spec/queries/contended/history')).body.history;
    assert.deepEqual(history.map((entry: { version: number }) => entry.version), Array.from({ length: 40 }, (_, index) => index + 1));
    const writers = new Set(history.map((entry: { spec: { description: string } }) => entry.spec.description));
    assert.equal(writers.size, 40, 'every writer\'s apply is one version');
  });

  it('keeps everything, tokens included, across kill -9 and a restart', async () => {
    const before = await snapshot(admin);
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir });
    const client = admin.withToken(admin.token);
    const restarted = new FleetClient(logbook.url, client.token);
    assert.deepEqual(await snapshot(restarted), before);
    const login = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200);
    admin = restarted;
  });

  it('keeps an acknowledged apply made just before kill -9', async () => {
    assert.equal((await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'last-words', query: 'SELECT 42' }] })).status, 200);
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir });
    admin = new FleetClient(logbook.url, admin.token);
    assert.equal((await admin.get('/api/v1/fleet/spec/queries/last-words')).body.specs.query, 'SELECT 42');
  });

  it('rebuilds the read models from the log into the same content', async () => {
    const before = await snapshot(admin);
    await logbook.stop();
    const report = await runRebuild(logbook.dataDir);
    assert.match(report, /rebuilt \d+ events into generation 2/);
    logbook = await startLogbook({ dataDir: logbook.dataDir });
    admin = new FleetClient(logbook.url, admin.token);
    assert.deepEqual(await snapshot(admin), before);
    assert.equal((await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'after-rebuild', query: 'SELECT 1' }] })).status, 200);
    assert.equal((await admin.get('/api/v1/fleet/spec/queries/after-rebuild')).status, 200);
  });
});
