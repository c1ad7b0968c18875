/**
 * Deleting specs by name (DELETE /api/v1/fleet/{queries,packs,labels}/:name) against a started
 * Logbook, black box: Fleet's answers and rules, the history and activity feed, re-creation, and
 * what hosts are served afterwards.
 */
import assert from 'node:assert/strict';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { eventually } from '../support/eventually';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'deletion-secret';
const F = '/api/v1/fleet';

describe('spec deletion (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let host: FakeOsqueryHost;

  const apply = async (plural: string, specs: object[]) => assert.equal((await admin.post(`${F}/spec/${plural}`, { specs })).status, 200, `apply ${plural}`);
  const remove = (plural: string, name: string, as = admin) => as.request('DELETE', `${F}/${plural}/${encodeURIComponent(name)}`);
  const packQuery = (query: string) => ({ query, interval: 60 });
  const configPacks = async () => {
    const res = await host.config();
    assert.equal(res.status, 200);
    return res.body.packs as Record<string, { queries: Record<string, { query: string }> }>;
  };

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post(`${F}/spec/enroll_secret`, { spec: { secrets: [{ secret: SECRET }] } });
    host = new FakeOsqueryHost(logbook.url, 'deletion-host', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    // Its answers make it a member of All Hosts, which the packs below target.
    assert.equal((await host.answerLikeARealHost()).status, 200);
  });
  after(() => logbook.stop());

  it("answers {} for a deletion and 404 in Fleet's shape for a name with no spec", async () => {
    await apply('queries', [{ name: 'short-lived', query: 'SELECT 1' }]);
    const res = await remove('queries', 'short-lived');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {});
    const again = await remove('queries', 'short-lived');
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { message: 'Resource Not Found', errors: [{ name: 'base', reason: 'Query short-lived was not found in the datastore' }] });
    assert.equal((await remove('packs', 'never-was')).status, 404);
    assert.equal((await remove('labels', 'never-was')).status, 404);
  });

  it('refuses to delete a built-in label (422), and it stays', async () => {
    const res = await remove('labels', 'All Hosts');
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors, [{ name: 'name', reason: "cannot delete built-in label 'All Hosts'" }]);
    assert.equal((await admin.get(`${F}/spec/labels/All%20Hosts`)).status, 200);
  });

  it('refuses an observer (403) before looking the name up; a maintainer may', async () => {
    const observer = await createUser(admin, 'observer');
    const maintainer = await createUser(admin, 'maintainer');
    await apply('queries', [{ name: 'kept-from-observers', query: 'SELECT 1' }]);
    assert.equal((await remove('queries', 'kept-from-observers', observer)).status, 403);
    assert.equal((await remove('queries', 'no-such-query', observer)).status, 403);
    assert.equal((await admin.get(`${F}/spec/queries/kept-from-observers`)).status, 200);
    assert.equal((await remove('queries', 'kept-from-observers', maintainer)).status, 200);
  });

  it('leaves the deleted spec out of GETs and lists, keeps its history with the deletion, and lists it in the activity feed', async () => {
    await apply('queries', [{ name: 'audited', query: 'SELECT 1' }]);
    await apply('queries', [{ name: 'audited', query: 'SELECT 2' }]);
    assert.equal((await remove('queries', 'audited')).status, 200);

    assert.equal((await admin.get(`${F}/spec/queries/audited`)).status, 404);
    assert.ok(!(await admin.get(`${F}/spec/queries`)).body.specs.some((spec: { name: string }) => spec.name === 'audited'));
    assert.ok(!(await admin.get(`${F}/queries`)).body.queries.some((query: { name: string }) => query.name === 'audited'));

    const history = (await admin.get(`${F}/spec/queries/audited/history`)).body.history;
    assert.deepEqual(history.map((entry: { version: number; deleted?: boolean }) => [entry.version, entry.deleted === true]), [[1, false], [2, false], [3, true]]);
    assert.equal(history[2].applied_by.email, 'admin@example.com');
    assert.equal(history[2].spec, null);
    assert.ok(Date.parse(history[2].applied_at) >= Date.parse(history[1].applied_at));

    const activities = (await admin.get(`${F}/activities?per_page=5`)).body.activities;
    assert.equal(activities[0].type, 'deleted_saved_query');
    assert.deepEqual(activities[0].details, { query_name: 'audited' });
    assert.equal(activities[0].actor_email, 'admin@example.com');
  });

  it('re-applied, a deleted spec is a new spec: the next version, a new id', async () => {
    await apply('queries', [{ name: 'reborn', query: 'SELECT 1' }]);
    const oldId = ((await admin.get(`${F}/queries`)).body.queries as Array<{ id: number; name: string }>).find((query) => query.name === 'reborn')!.id;
    assert.equal((await remove('queries', 'reborn')).status, 200);
    await apply('queries', [{ name: 'reborn', query: 'SELECT 3' }]);
    const reborn = ((await admin.get(`${F}/queries`)).body.queries as Array<{ id: number; name: string; query: string }>).find((query) => query.name === 'reborn')!;
    assert.notEqual(reborn.id, oldId);
    assert.equal(reborn.query, 'SELECT 3');
    const history = (await admin.get(`${F}/spec/queries/reborn/history`)).body.history;
    assert.deepEqual(history.map((entry: { version: number; deleted?: boolean }) => [entry.version, entry.deleted === true]), [[1, false], [2, true], [3, false]]);
  });

  it("takes a deleted query out of every pack (Fleet's cascade): a new pack version, and hosts stop getting it", async () => {
    await apply('queries', [{ name: 'cascaded', query: 'SELECT 10' }, { name: 'survivor', query: 'SELECT 11' }]);
    await apply('packs', [{ name: 'cascade-pack', targets: { labels: ['All Hosts'], teams: null }, queries: [packQuery('cascaded'), packQuery('survivor')] }]);
    await eventually(async () => assert.deepEqual(Object.keys((await configPacks())['cascade-pack']?.queries ?? {}).sort(), ['cascaded', 'survivor']));

    const packApplies = async () => ((await admin.get(`${F}/activities?per_page=1000`)).body.activities as Array<{ type: string }>).filter((activity) => activity.type === 'applied_spec_pack').length;
    const appliesBefore = await packApplies();
    assert.equal((await remove('queries', 'cascaded')).status, 200);
    const pack = (await admin.get(`${F}/spec/packs/cascade-pack`)).body.specs;
    assert.deepEqual(pack.queries.map((query: { name: string }) => query.name), ['survivor']);
    const history = (await admin.get(`${F}/spec/packs/cascade-pack/history`)).body.history;
    assert.equal(history.length, 2);
    assert.deepEqual(history[1].detached, { kind: 'query', name: 'cascaded' });
    assert.equal(await packApplies(), appliesBefore, 'the cascade is no apply: no applied_spec_pack activity');
    await eventually(async () => assert.deepEqual(Object.keys((await configPacks())['cascade-pack']!.queries), ['survivor']));

    // Re-creating the query does not put it back in the pack: Fleet's rows are gone too.
    await apply('queries', [{ name: 'cascaded', query: 'SELECT 10' }]);
    assert.deepEqual((await admin.get(`${F}/spec/packs/cascade-pack`)).body.specs.queries.map((query: { name: string }) => query.name), ['survivor']);
  });

  it('takes a deleted label out of every pack\'s targets; a pack it alone targeted is no longer configured', async () => {
    // Manual, so the host is a member at once (a dynamic label waits for the host's next label answers).
    await apply('labels', [{ name: 'doomed-label', label_membership_type: 'manual', hosts: ['deletion-host'] }]);
    await apply('queries', [{ name: 'labelled', query: 'SELECT 12' }]);
    await apply('packs', [
      { name: 'doomed-label-pack', targets: { labels: ['doomed-label'], teams: null }, queries: [packQuery('labelled')] },
      { name: 'two-label-pack', targets: { labels: ['doomed-label', 'All Hosts'], teams: null }, queries: [packQuery('labelled')] },
    ]);
    await eventually(async () => assert.ok('doomed-label-pack' in (await configPacks()), 'the host is in doomed-label'));

    assert.equal((await remove('labels', 'doomed-label')).status, 200);
    assert.deepEqual((await admin.get(`${F}/spec/packs/doomed-label-pack`)).body.specs.targets.labels, []);
    assert.deepEqual((await admin.get(`${F}/spec/packs/two-label-pack`)).body.specs.targets.labels, ['All Hosts']);
    await eventually(async () => {
      const packs = await configPacks();
      assert.ok(!('doomed-label-pack' in packs));
      assert.ok('two-label-pack' in packs);
    });
  });

  it('stops asking hosts a deleted label\'s query', async () => {
    await apply('labels', [{ name: 'asked-label', query: 'SELECT 2' }]);
    const id = ((await admin.get(`${F}/spec/labels/asked-label`)).body.specs as { id: number }).id;
    assert.equal((await remove('labels', 'asked-label')).status, 200);
    const fresh = new FakeOsqueryHost(logbook.url, 'fresh-host', 'ubuntu');
    assert.equal((await fresh.enroll(SECRET)).status, 200);
    const queries = Object.keys((await fresh.read()).body.queries);
    assert.ok(queries.some((name) => name.startsWith('fleet_label_query_')), 'label queries are asked');
    assert.ok(!queries.includes(`fleet_label_query_${id}`), queries.join(', '));
  });

  it('deletes a pack with its queries and targets; hosts stop getting it', async () => {
    await apply('queries', [{ name: 'packed', query: 'SELECT 13' }]);
    await apply('packs', [{ name: 'whole-pack', targets: { labels: ['All Hosts'], teams: null }, queries: [packQuery('packed')] }]);
    await eventually(async () => assert.ok('whole-pack' in (await configPacks())));
    assert.equal((await remove('packs', 'whole-pack')).status, 200);
    assert.equal((await admin.get(`${F}/spec/packs/whole-pack`)).status, 404);
    assert.equal((await admin.get(`${F}/spec/queries/packed`)).status, 200, 'its queries are saved queries of their own');
    const activity = (await admin.get(`${F}/activities?per_page=1`)).body.activities[0];
    assert.deepEqual([activity.type, activity.details], ['deleted_pack', { pack_name: 'whole-pack' }]);
    await eventually(async () => assert.ok(!('whole-pack' in (await configPacks()))));
  });

  it('keeps a campaign of a deleted saved query running: it holds the SQL', async () => {
    await apply('queries', [{ name: 'campaigned', query: 'SELECT 42 AS answer' }]);
    const saved = ((await admin.get(`${F}/queries`)).body.queries as Array<{ id: number; name: string }>).find((query) => query.name === 'campaigned')!;
    const hostId = ((await admin.get(`${F}/hosts`)).body.hosts as Array<{ id: number; hostname: string }>).find((entry) => entry.hostname === 'deletion-host')!.id;
    const started = await admin.post(`${F}/queries/run`, { query_id: saved.id, selected: { hosts: [hostId] } });
    assert.equal(started.status, 200);
    const campaignId = started.body.campaign.id as number;
    assert.equal((await remove('queries', 'campaigned')).status, 200);

    const name = `fleet_distributed_query_${campaignId}`;
    const asked = await eventually(async () => {
      const queries = (await host.read()).body.queries as Record<string, string>;
      assert.ok(name in queries);
      return queries;
    });
    assert.equal(asked[name], 'SELECT 42 AS answer');
    assert.equal((await host.write({ [name]: [{ answer: '42' }] })).status, 200);
    await eventually(async () => {
      const page = await admin.get(`${F}/campaigns/${campaignId}/results`);
      assert.equal(page.status, 200);
      assert.equal(page.body.results.length, 1);
    });
    assert.equal((await admin.get(`${F}/campaigns/${campaignId}`)).status, 200);
  });
});
