/** Fleet's spec API against a started Logbook, as a Fleet client uses it. */
import assert from 'node:assert/strict';
import * as reference from '../fixtures/reference-specs';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

describe('spec API (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook({ env: { BODY_LIMIT: '64kb' } });
    admin = await setUpAdmin(logbook.url);
  });
  after(() => logbook.stop());

  describe('queries', () => {
    it('applies the reference example and reads it back in its documented shape', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/queries', reference.applyQueries)).status, 200);
      const list = await admin.get('/api/v1/fleet/spec/queries');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.specs.slice(0, 2), reference.applyQueries.specs);
      const one = await admin.get('/api/v1/fleet/spec/queries/new_query');
      assert.deepEqual(one.body, { specs: reference.applyQueries.specs[0] });
    });

    it('upserts by name and leaves specs missing from the request alone', async () => {
      const changed = { ...reference.applyQueries.specs[1], query: 'SELECT 2' };
      assert.equal((await admin.post('/api/v1/fleet/spec/queries', { specs: [changed] })).status, 200);
      const list = await admin.get('/api/v1/fleet/spec/queries');
      const names = list.body.specs.map((spec: { name: string }) => spec.name);
      assert.deepEqual(names.slice(0, 2), ['new_query', 'osquery_schedule']);
      assert.equal((await admin.get('/api/v1/fleet/spec/queries/osquery_schedule')).body.specs.query, 'SELECT 2');
    });

    it('answers 404 in Fleet error shape for an unknown name', async () => {
      const res = await admin.get('/api/v1/fleet/spec/queries/no-such-query');
      assert.equal(res.status, 404);
      assert.equal(typeof res.body.message, 'string');
      assert.equal(res.body.errors[0].name, 'base');
      assert.match(res.body.errors[0].reason, /no-such-query/);
    });
  });

  describe('packs', () => {
    it('refuses a pack naming unknown queries, and applies nothing', async () => {
      const res = await admin.post('/api/v1/fleet/spec/packs', reference.applyPacks);
      assert.equal(res.status, 422);
      assert.ok(res.body.errors.some((error: { reason: string }) => /query1/.test(error.reason)));
      assert.equal((await admin.get('/api/v1/fleet/spec/packs/pack_1')).status, 404);
    });

    it('applies the reference packs once their queries exist and reads them back with defaults', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/queries', reference.queriesForPacks)).status, 200);
      assert.equal((await admin.post('/api/v1/fleet/spec/packs', reference.applyPacks)).status, 200);
      const pack = (await admin.get('/api/v1/fleet/spec/packs/pack_1')).body.specs;
      assert.equal(typeof pack.id, 'number');
      assert.deepEqual(pack.targets, { labels: ['All Hosts'], teams: null });
      assert.equal(pack.queries.length, 6);
      assert.deepEqual(pack.queries[5], {
        query: 'osquery_events',
        name: 'osquery_events-1',
        description: '',
        interval: 120,
        snapshot: false,
        removed: true,
        platform: '',
        version: '',
        shard: null,
        denylist: null,
      });
      const all = (await admin.get('/api/v1/fleet/spec/packs')).body.specs;
      assert.deepEqual(all.map((spec: { name: string }) => spec.name), ['pack_1', 'pack_2']);
      assert.equal(all[1].queries[0].platform, 'windows');
    });

    it('replaces a pack\'s queries and targets on re-apply', async () => {
      const pack = { name: 'pack_1', targets: { labels: null, teams: null }, queries: [{ query: 'query1', interval: 60 }] };
      assert.equal((await admin.post('/api/v1/fleet/spec/packs', { specs: [pack] })).status, 200);
      const read = (await admin.get('/api/v1/fleet/spec/packs/pack_1')).body.specs;
      assert.deepEqual(read.queries.map((query: { name: string }) => query.name), ['query1']);
      assert.deepEqual(read.targets, { labels: null, teams: null });
    });
  });

  describe('labels', () => {
    it('has the built-in labels from the start', async () => {
      const specs = (await admin.get('/api/v1/fleet/spec/labels')).body.specs;
      const allHosts = specs.find((spec: { name: string }) => spec.name === 'All Hosts');
      assert.deepEqual(allHosts, {
        id: allHosts.id,
        name: 'All Hosts',
        description: 'All hosts which have enrolled in Fleet',
        query: 'select 1;',
        label_type: 'builtin',
        label_membership_type: 'dynamic',
      });
      for (const name of ['macOS', 'Ubuntu Linux', 'CentOS Linux', 'MS Windows']) {
        assert.ok(specs.some((spec: { name: string; label_type: string }) => spec.name === name && spec.label_type === 'builtin'), name);
      }
    });

    it('applies the reference labels', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/labels', reference.applyLabels)).status, 200);
      const manual = (await admin.get('/api/v1/fleet/spec/labels/local_machine')).body.specs;
      assert.equal(typeof manual.id, 'number');
      assert.equal(manual.label_membership_type, 'manual');
      assert.equal(manual.query, '');
      assert.deepEqual(manual.hosts, ['snacbook-pro.local']);
      const ubuntu = (await admin.get('/api/v1/fleet/spec/labels/Ubuntu')).body.specs;
      assert.equal(ubuntu.label_type, undefined);
      assert.equal(ubuntu.query, reference.applyLabels.specs[0].query);
    });

    it('refuses a dynamic label with hosts and a manual label without', async () => {
      const dynamic = await admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'd', query: 'select 1', hosts: ['a'] }] });
      assert.equal(dynamic.status, 422);
      assert.equal(dynamic.body.errors[0].name, 'hosts');
      const manual = await admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'm', label_membership_type: 'manual' }] });
      assert.equal(manual.status, 422);
    });

    it('refuses changes to a built-in label but accepts it re-applied unchanged', async () => {
      const macOS = (await admin.get('/api/v1/fleet/spec/labels/macOS')).body.specs;
      assert.equal((await admin.post('/api/v1/fleet/spec/labels', { specs: [macOS] })).status, 200);
      const changed = await admin.post('/api/v1/fleet/spec/labels', { specs: [{ ...macOS, query: 'select 2' }] });
      assert.equal(changed.status, 422);
      assert.equal((await admin.get('/api/v1/fleet/spec/labels/macOS')).body.specs.query, macOS.query);
    });
  });

  describe('enroll secrets, teams and policies', () => {
    it('replaces the global enroll secrets and keeps created_at of a kept secret', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/enroll_secret', reference.applyEnrollSecret)).status, 200);
      const first = (await admin.get('/api/v1/fleet/spec/enroll_secret')).body.spec.secrets;
      assert.equal(first.length, 1);
      assert.equal(first[0].secret, 'fTp52/twaxBU6gIi0J6PHp8o5Sm1k1kn');
      assert.ok(!Number.isNaN(Date.parse(first[0].created_at)));
      const both = { spec: { secrets: [{ secret: 'fTp52/twaxBU6gIi0J6PHp8o5Sm1k1kn' }, { secret: 'second-secret' }] } };
      assert.equal((await admin.post('/api/v1/fleet/spec/enroll_secret', both)).status, 200);
      const second = (await admin.get('/api/v1/fleet/spec/enroll_secret')).body.spec.secrets;
      assert.deepEqual(second.map((entry: { secret: string }) => entry.secret), ['fTp52/twaxBU6gIi0J6PHp8o5Sm1k1kn', 'second-secret']);
      assert.equal(second[0].created_at, first[0].created_at);
    });

    it('applies the reference team spec', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/teams', reference.applyTeams)).status, 200);
      const history = await admin.get('/api/v1/fleet/spec/teams/Client%20Platform%20Engineering/history');
      assert.equal(history.status, 200);
      assert.equal(history.body.history.length, 1);
      assert.deepEqual(history.body.history[0].spec.secrets, reference.applyTeams.specs[0].secrets);
    });

    it('applies the reference policies and reads them back; an update ignores team and platform', async () => {
      assert.equal((await admin.post('/api/v1/fleet/spec/policies', reference.applyPolicies)).status, 200);
      const list = (await admin.get('/api/v1/fleet/spec/policies')).body.specs;
      assert.deepEqual(list.map((spec: { name: string }) => spec.name), reference.applyPolicies.specs.map((spec) => spec.name));
      const filevault = reference.applyPolicies.specs[1];
      const update = { ...filevault, platform: 'windows', description: 'changed' };
      assert.equal((await admin.post('/api/v1/fleet/spec/policies', { specs: [update] })).status, 200);
      const read = (await admin.get(`/api/v1/fleet/spec/policies/${encodeURIComponent(filevault.name)}`)).body.specs;
      assert.equal(read.description, 'changed');
      assert.equal(read.platform, 'darwin');
    });

    it('refuses a policy for a team that does not exist', async () => {
      const res = await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'p', query: 'select 1', team: 'Nope' }] });
      assert.equal(res.status, 422);
    });
  });

  describe('history and activities', () => {
    it('lists every version of a spec, oldest first, with field-level changes and who applied it', async () => {
      const base = { name: 'audited', description: 'v1', query: 'SELECT 1' };
      await admin.post('/api/v1/fleet/spec/queries', { specs: [base] });
      await admin.post('/api/v1/fleet/spec/queries', { specs: [{ ...base, description: 'v2' }] });
      await admin.post('/api/v1/fleet/spec/queries', { specs: [{ ...base, description: 'v2', query: 'SELECT 3' }] });
      const res = await admin.get('/api/v1/fleet/spec/queries/audited/history');
      assert.equal(res.status, 200);
      const { history } = res.body;
      assert.deepEqual(history.map((entry: { version: number }) => entry.version), [1, 2, 3]);
      assert.deepEqual(history[1].changes, [{ field: 'description', from: 'v1', to: 'v2' }]);
      assert.deepEqual(history[2].changes, [{ field: 'query', from: 'SELECT 1', to: 'SELECT 3' }]);
      assert.deepEqual(history[2].spec, { name: 'audited', description: 'v2', query: 'SELECT 3' });
      assert.equal(history[0].applied_by.email, 'admin@example.com');
      assert.equal(typeof history[0].applied_by.id, 'number');
      assert.ok(Date.parse(history[0].applied_at) <= Date.parse(history[2].applied_at));
    });

    it('answers 404 for the history of an unknown spec', async () => {
      assert.equal((await admin.get('/api/v1/fleet/spec/packs/nope/history')).status, 404);
    });

    it('shows applies and logins in the activity feed, newest first, paginated', async () => {
      const marker = `activity-${Date.now()}`;
      await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: marker, query: 'SELECT 1' }, { name: `${marker}-b`, query: 'SELECT 2' }] });
      const res = await admin.get('/api/v1/fleet/activities?per_page=5');
      assert.equal(res.status, 200);
      const [latest] = res.body.activities;
      assert.equal(latest.type, 'applied_spec_query');
      assert.equal(latest.actor_email, 'admin@example.com');
      assert.equal(latest.actor_full_name, 'Ada Admin');
      assert.deepEqual(latest.details.queries.map((query: { name: string }) => query.name), [marker, `${marker}-b`]);
      assert.equal(res.body.activities.length, 5);
      assert.equal(res.body.meta.has_next_results, true);
      const ids = res.body.activities.map((activity: { id: number }) => activity.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
      const everything = await admin.get('/api/v1/fleet/activities?per_page=1000');
      const types = new Set(everything.body.activities.map((activity: { type: string }) => activity.type));
      for (const type of ['user_logged_in', 'applied_spec_pack', 'applied_spec_label', 'applied_spec_policy', 'applied_spec_team', 'changed_enroll_secrets']) {
        assert.ok(types.has(type), type);
      }
      assert.equal((await admin.get('/api/v1/fleet/activities?page=-1')).status, 400);
    });
  });

  describe('users and roles', () => {
    it('needs a token on every fleet route', async () => {
      const anonymous = new FleetClient(logbook.url);
      for (const path of ['/api/v1/fleet/spec/queries', '/api/v1/fleet/users', '/api/v1/fleet/activities', '/api/v1/fleet/nothing-here']) {
        const res = await anonymous.get(path);
        assert.equal(res.status, 401, path);
        assert.equal(res.body.errors[0].name, 'base');
      }
      assert.equal((await anonymous.withToken('forged').get('/api/v1/fleet/spec/queries')).status, 401);
    });

    it('answers a second setup 404, as Fleet, which no longer serves the route', async () => {
      const res = await new FleetClient(logbook.url).post('/api/v1/setup', {
        admin: { email: 'other@example.com', password: 'another-pass-1!', name: 'Other' },
        org_info: { org_name: 'x' },
        server_url: 'https://x.example.com',
      });
      assert.equal(res.status, 404);
      assert.match(res.body.errors[0].reason, /setup has already been completed/);
    });

    it('lets observers read specs but not apply them, and maintainers apply', async () => {
      const observer = await createUser(admin, 'observer');
      assert.equal((await observer.get('/api/v1/fleet/spec/queries')).status, 200);
      const denied = await observer.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'observer-q', query: 'SELECT 1' }] });
      assert.equal(denied.status, 403);
      assert.equal((await admin.get('/api/v1/fleet/spec/queries/observer-q')).status, 404);
      assert.equal((await observer.post('/api/v1/fleet/users/admin', { name: 'x', email: 'x@example.com', password: 'another-pass-1!', global_role: 'admin' })).status, 403);
      const maintainer = await createUser(admin, 'maintainer');
      assert.equal((await maintainer.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'maintainer-q', query: 'SELECT 1' }] })).status, 200);
    });

    it('lists users for admins, refuses a duplicate email, and rejects wrong passwords', async () => {
      const users = await admin.get('/api/v1/fleet/users');
      assert.equal(users.status, 200);
      assert.ok(users.body.users.some((user: { email: string; global_role: string }) => user.email === 'admin@example.com' && user.global_role === 'admin'));
      assert.ok(users.body.users.every((user: Record<string, unknown>) => !('password_hash' in user)));
      const duplicate = await admin.post('/api/v1/fleet/users/admin', { name: 'again', email: 'ADMIN@example.com', password: 'another-pass-1!', global_role: 'observer' });
      assert.equal(duplicate.status, 409);
      const wrong = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: 'admin@example.com', password: 'wrong-password-1!' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.message, 'Authentication required');
      const weak = await admin.post('/api/v1/fleet/users/admin', { name: 'weak', email: 'weak@example.com', password: 'short', global_role: 'observer' });
      assert.equal(weak.status, 422);
      assert.equal(weak.body.errors[0].name, 'password');
    });

    it('logs out: the token stops working', async () => {
      const maintainer = await createUser(admin, 'maintainer');
      assert.equal((await maintainer.post('/api/v1/fleet/logout')).status, 200);
      assert.equal((await maintainer.get('/api/v1/fleet/spec/queries')).status, 401);
    });
  });
});
