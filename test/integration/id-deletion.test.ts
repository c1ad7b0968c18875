/**
 * Deleting policies and teams by id (POST /api/v1/fleet/global/policies/delete, DELETE
 * /api/v1/fleet/teams/{id}) against a started Logbook, black box: Fleet's answers and error
 * shapes, the history and activity feed, re-creation, and Fleet's cascade of a team (its
 * policies, its pack targets, its secrets; its hosts to no team).
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'id-deletion-secret';
const F = '/api/v1/fleet';

type Entry = { version: number; deleted?: boolean; cascade?: unknown; detached?: unknown };

describe('policy and team deletion by id (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  const apply = async (plural: string, specs: object[]) => assert.equal((await admin.post(`${F}/spec/${plural}`, { specs })).status, 200, `apply ${plural}`);
  const deletePolicies = (body: unknown, as = admin) => as.post(`${F}/global/policies/delete`, body);
  const deleteTeam = (id: number | string, as = admin) => as.request('DELETE', `${F}/teams/${id}`);
  const specId = async (plural: string, name: string) => ((await admin.get(`${F}/spec/${plural}/${encodeURIComponent(name)}`)).body.specs as { id: number }).id;
  const history = async (plural: string, name: string) =>
    ((await admin.get(`${F}/spec/${plural}/${encodeURIComponent(name)}/history`)).body.history as Entry[]);
  const versions = (entries: Entry[]) => entries.map((entry) => [entry.version, entry.deleted === true]);
  const latestActivity = async () => (await admin.get(`${F}/activities?per_page=1`)).body.activities[0];

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post(`${F}/spec/enroll_secret`, { spec: { secrets: [{ secret: SECRET }] } });
  });
  after(() => logbook.stop());

  it('deletes global policies: {"deleted": [ids]}, GET 404s, the history and the activity feed show it, re-applying starts a new version', async () => {
    await apply('policies', [{ name: 'doomed-policy', query: 'SELECT 1' }, { name: 'other-doomed', query: 'SELECT 2' }]);
    const id = await specId('policies', 'doomed-policy');
    const otherId = await specId('policies', 'other-doomed');
    const res = await deletePolicies({ ids: [id, otherId, id] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { deleted: [id, otherId] });

    assert.equal((await admin.get(`${F}/spec/policies/doomed-policy`)).status, 404);
    assert.ok(!(await admin.get(`${F}/global/policies`)).body.policies.some((policy: { id: number }) => policy.id === id || policy.id === otherId));
    assert.deepEqual(versions(await history('policies', 'doomed-policy')), [[1, false], [2, true]]);
    const activities = (await admin.get(`${F}/activities?per_page=2`)).body.activities as Array<{ type: string; details: object }>;
    assert.deepEqual(
      activities.map((activity) => activity.type),
      ['deleted_policy', 'deleted_policy'],
    );
    assert.ok(activities.some((activity) => JSON.stringify(activity.details) === JSON.stringify({ policy_id: id, policy_name: 'doomed-policy', team_id: -1, team_name: null })));

    await apply('policies', [{ name: 'doomed-policy', query: 'SELECT 3' }]);
    assert.notEqual(await specId('policies', 'doomed-policy'), id, 'a new policy, a new id');
    assert.deepEqual(versions(await history('policies', 'doomed-policy')), [[1, false], [2, true], [3, false]]);
    // The old id names nothing any more.
    const again = await deletePolicies({ ids: [id] });
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { message: 'Resource Not Found', errors: [{ name: 'base', reason: `Policy ${id} was not found in the datastore` }] });
  });

  it("answers bad input in Fleet's shape and deletes nothing when one id is unknown", async () => {
    await apply('policies', [{ name: 'kept-policy', query: 'SELECT 1' }]);
    const id = await specId('policies', 'kept-policy');
    for (const body of [{ ids: String(id) }, { ids: [String(id)] }, { ids: [0] }, { ids: [-1] }, { ids: [1.5] }, {}, { ids: null }, { ids: Array(1001).fill(id) }]) {
      const res = await deletePolicies(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.message, 'Bad request');
      assert.match(res.body.errors[0].reason, /^json decoder error/);
    }
    const mixed = await deletePolicies({ ids: [id, 987_654] });
    assert.equal(mixed.status, 404);
    assert.equal(mixed.body.errors[0].reason, 'Policy 987654 was not found in the datastore');
    assert.equal((await admin.get(`${F}/spec/policies/kept-policy`)).status, 200);
    const empty = await deletePolicies({ ids: [] });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {});
  });

  it('refuses an observer (403) and a team policy through the global endpoint (403); a maintainer may', async () => {
    const observer = await createUser(admin, 'observer');
    const maintainer = await createUser(admin, 'maintainer');
    await apply('teams', [{ name: 'policy-team', agent_options: null, secrets: [] }]);
    await apply('policies', [{ name: 'global-one', query: 'SELECT 1' }, { name: 'team-one', query: 'SELECT 1', team: 'policy-team' }]);
    const globalId = await specId('policies', 'global-one');
    const teamPolicyId = await specId('policies', 'team-one');
    assert.equal((await deletePolicies({ ids: [globalId] }, observer)).status, 403);
    assert.equal((await deletePolicies({ ids: 'not even ids' }, observer)).status, 403, 'refused before the body is read');
    const teamRes = await deletePolicies({ ids: [teamPolicyId] });
    assert.equal(teamRes.status, 403);
    assert.equal(teamRes.body.message, 'Permission Denied');
    assert.equal((await admin.get(`${F}/spec/policies/team-one`)).status, 200);
    assert.equal((await deletePolicies({ ids: [globalId] }, maintainer)).status, 200);
    assert.equal((await deleteTeam(await specId('teams', 'policy-team'), maintainer)).status, 403, 'only admins delete teams');
  });

  it("deletes a team with Fleet's cascade: its policies and pack targets go, its hosts move to no team, its secret enrolls no more", async () => {
    await apply('teams', [{ name: 'doomed-team', agent_options: null, secrets: [{ secret: 'doomed-team-secret' }] }]);
    const teamId = await specId('teams', 'doomed-team');
    const host = new FakeOsqueryHost(logbook.url, 'team-host', 'ubuntu');
    assert.equal((await host.enroll('doomed-team-secret')).status, 200);
    const teamHost = async () => {
      const found = ((await admin.get(`${F}/hosts`)).body.hosts as Array<{ id: number; hostname: string; team_id: number | null }>).find((entry) => entry.hostname === 'team-host');
      assert.ok(found, 'the host is projected');
      return found;
    };
    assert.equal((await eventually(teamHost)).team_id, teamId);
    await apply('policies', [{ name: 'doomed-team-policy', query: 'SELECT 1', team: 'doomed-team' }]);
    await apply('queries', [{ name: 'team-packed', query: 'SELECT 1' }]);
    await apply('packs', [{ name: 'team-pack', targets: { labels: ['All Hosts'], teams: ['doomed-team'] }, queries: [{ query: 'team-packed', interval: 60 }] }]);

    const res = await deleteTeam(teamId);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {});

    const gone = await admin.get(`${F}/teams/${teamId}`);
    assert.equal(gone.status, 404);
    assert.equal((await admin.get(`${F}/spec/teams/doomed-team`)).status, 404);
    assert.deepEqual(versions(await history('teams', 'doomed-team')), [[1, false], [2, true]]);
    assert.deepEqual(await latestActivity().then((activity) => [activity.type, activity.details]), ['deleted_team', { team_id: teamId, team_name: 'doomed-team' }]);

    assert.equal((await admin.get(`${F}/spec/policies/doomed-team-policy`)).status, 404, "the team's policy went with it");
    const policyHistory = await history('policies', 'doomed-team-policy');
    assert.deepEqual(versions(policyHistory), [[1, false], [2, true]]);
    assert.deepEqual(policyHistory[1].cascade, { kind: 'team', name: 'doomed-team' });
    const packHistory = await history('packs', 'team-pack');
    assert.deepEqual((await admin.get(`${F}/spec/packs/team-pack`)).body.specs.targets.teams, []);
    assert.deepEqual(packHistory.at(-1)!.detached, { kind: 'team', name: 'doomed-team' });

    assert.equal((await teamHost()).team_id, null, 'its hosts are on no team');
    let late = 0;
    await eventually(async () => assert.notEqual((await new FakeOsqueryHost(logbook.url, `late-host-${++late}`, 'ubuntu').enroll('doomed-team-secret')).status, 200, 'its secret went with it'));

    // Applied again, it is a new team (a new id) at the next version; its old hosts stay on no team.
    await apply('teams', [{ name: 'doomed-team', agent_options: null, secrets: [] }]);
    const newId = await specId('teams', 'doomed-team');
    assert.notEqual(newId, teamId);
    assert.deepEqual(versions(await history('teams', 'doomed-team')), [[1, false], [2, true], [3, false]]);
    assert.equal((await teamHost()).team_id, null);
    assert.equal((await admin.get(`${F}/teams/${newId}`)).body.team.host_count, 0);
  });

  it("answers an unknown or malformed team id in Fleet's shape", async () => {
    const unknown = await deleteTeam(987_654);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { message: 'Resource Not Found', errors: [{ name: 'base', reason: 'Team 987654 was not found in the datastore' }] });
    for (const id of ['abc', '0', '-3', '1.5', '9'.repeat(30)]) {
      const res = await deleteTeam(id);
      assert.equal(res.status, 400, id);
      assert.equal(res.body.message, 'Bad request');
    }
    assert.equal((await admin.request('DELETE', `/api/latest/fleet/teams/987654`)).status, 404, 'also at /api/latest');
  });
});
