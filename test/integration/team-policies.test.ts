/**
 * Fleet's team policy routes against a started Logbook, black box: GET /teams/{id}/policies,
 * GET /teams/{id}/policies/{policy_id} and POST /teams/{id}/policies/delete, at /api/v1 and
 * /api/latest. A team and its policies are applied with specs (as fleetctl apply does), read,
 * deleted by id; the deletion shows in the spec history and the activity feed; bad ids, an
 * unknown team and another team's policy answer Fleet's errors and delete nothing.
 */
import assert from 'node:assert/strict';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const F = '/api/v1/fleet';
const LATEST = '/api/latest/fleet';

type Policy = { id: number; name: string; query: string; team_id: number | null; passing_host_count: number; failing_host_count: number };
type Entry = { version: number; deleted?: boolean };

describe('team policies (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let red: number;
  let blue: number;

  const apply = async (plural: string, specs: object[]) => assert.equal((await admin.post(`${F}/spec/${plural}`, { specs })).status, 200, `apply ${plural}`);
  const specId = async (plural: string, name: string) => ((await admin.get(`${F}/spec/${plural}/${encodeURIComponent(name)}`)).body.specs as { id: number }).id;
  const teamPolicies = async (teamId: number, as = admin) => (await as.get(`${F}/teams/${teamId}/policies`)).body.policies as Policy[];
  const names = (policies: Policy[]) => policies.map((policy) => policy.name).sort();
  const deleteTeamPolicies = (teamId: number | string, body: unknown, as = admin, prefix = F) => as.post(`${prefix}/teams/${teamId}/policies/delete`, body);
  const notFoundBody = (reason: string) => ({ message: 'Resource Not Found', errors: [{ name: 'base', reason }] });

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await apply('teams', [{ name: 'red', agent_options: null, secrets: [] }, { name: 'blue', agent_options: null, secrets: [] }]);
    red = await specId('teams', 'red');
    blue = await specId('teams', 'blue');
  });
  after(() => logbook.stop());

  it("lists a team's policies and reads one, in GET /global/policies' shape, at /api/v1 and /api/latest", async () => {
    await apply('policies', [
      { name: 'red-disk', query: 'SELECT 1', team: 'red' },
      { name: 'red-firewall', query: 'SELECT 2', team: 'red' },
      { name: 'blue-disk', query: 'SELECT 3', team: 'blue' },
      { name: 'everyone', query: 'SELECT 4' },
    ]);
    const listed = await teamPolicies(red);
    assert.deepEqual(names(listed), ['red-disk', 'red-firewall']);
    for (const policy of listed) {
      assert.equal(policy.team_id, red);
      assert.equal(policy.passing_host_count, 0);
      assert.equal(policy.failing_host_count, 0);
    }
    assert.deepEqual(names(await teamPolicies(blue)), ['blue-disk']);

    const all = (await admin.get(`${F}/policies`)).body.policies as Policy[];
    const diskId = await specId('policies', 'red-disk');
    const one = await admin.get(`${F}/teams/${red}/policies/${diskId}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { policy: all.find((policy) => policy.id === diskId) }, 'the same policy GET /policies lists');
    assert.deepEqual(listed.find((policy) => policy.id === diskId), one.body.policy);

    const latest = await admin.get(`${LATEST}/teams/${red}/policies`);
    assert.equal(latest.status, 200);
    assert.deepEqual(names(latest.body.policies), ['red-disk', 'red-firewall']);
    assert.deepEqual((await admin.get(`${LATEST}/teams/${red}/policies/${diskId}`)).body, one.body);
  });

  it("answers Fleet's 404s for an unknown team and for a policy not of the team, 400 for ids that are not ids", async () => {
    const unknownTeam = await admin.get(`${F}/teams/987654/policies`);
    assert.equal(unknownTeam.status, 404);
    assert.deepEqual(unknownTeam.body, notFoundBody('Team 987654 was not found in the datastore'));
    const blueId = await specId('policies', 'blue-disk');
    const globalId = await specId('policies', 'everyone');
    for (const [teamId, policyId] of [[red, blueId], [red, globalId], [987654, blueId], [red, 987654]]) {
      const res = await admin.get(`${F}/teams/${teamId}/policies/${policyId}`);
      assert.equal(res.status, 404, `team ${teamId}, policy ${policyId}`);
      assert.deepEqual(res.body, notFoundBody(`Policy ${policyId} was not found in the datastore`));
    }
    for (const path of [`teams/0/policies`, `teams/red/policies`, `teams/${red}/policies/x`, `teams/${red}/policies/1.5`]) {
      const res = await admin.get(`${F}/${path}`);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.message, 'Bad request');
    }
  });

  it('deletes team policies by id: {"deleted": [ids]}, GETs 404, the history and the activity feed show it', async () => {
    await apply('policies', [{ name: 'red-doomed', query: 'SELECT 5', team: 'red' }, { name: 'red-doomed-too', query: 'SELECT 6', team: 'red' }]);
    const id = await specId('policies', 'red-doomed');
    const otherId = await specId('policies', 'red-doomed-too');
    const res = await deleteTeamPolicies(red, { ids: [id, otherId, id] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { deleted: [id, otherId] });

    assert.equal((await admin.get(`${F}/teams/${red}/policies/${id}`)).status, 404);
    assert.deepEqual((await admin.get(`${F}/teams/${red}/policies/${id}`)).body, notFoundBody(`Policy ${id} was not found in the datastore`));
    assert.equal((await admin.get(`${F}/spec/policies/red-doomed`)).status, 404);
    assert.deepEqual(names(await teamPolicies(red)), ['red-disk', 'red-firewall']);
    const history = (await admin.get(`${F}/spec/policies/red-doomed/history`)).body.history as Entry[];
    assert.deepEqual(history.map((entry) => [entry.version, entry.deleted === true]), [[1, false], [2, true]]);

    const activities = (await admin.get(`${F}/activities?per_page=2`)).body.activities as Array<{ type: string; details: object }>;
    assert.deepEqual(activities.map((activity) => activity.type), ['deleted_policy', 'deleted_policy']);
    assert.deepEqual(
      activities.map((activity) => activity.details).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        { policy_id: id, policy_name: 'red-doomed', team_id: red, team_name: 'red' },
        { policy_id: otherId, policy_name: 'red-doomed-too', team_id: red, team_name: 'red' },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );

    await apply('policies', [{ name: 'red-latest', query: 'SELECT 7', team: 'red' }]);
    const latestId = await specId('policies', 'red-latest');
    const latest = await deleteTeamPolicies(red, { ids: [latestId] }, admin, LATEST);
    assert.equal(latest.status, 200);
    assert.deepEqual(latest.body, { deleted: [latestId] });
  });

  it("refuses bad ids, an unknown team, a global or another team's policy in Fleet's shape and deletes nothing", async () => {
    const diskId = await specId('policies', 'red-disk');
    const blueId = await specId('policies', 'blue-disk');
    const globalId = await specId('policies', 'everyone');
    const untouched = async () => {
      assert.deepEqual(names(await teamPolicies(red)), ['red-disk', 'red-firewall']);
      assert.deepEqual(names(await teamPolicies(blue)), ['blue-disk']);
      assert.equal((await admin.get(`${F}/spec/policies/everyone`)).status, 200);
    };

    for (const body of [{ ids: String(diskId) }, { ids: [String(diskId)] }, { ids: [0] }, { ids: [-1] }, { ids: [1.5] }, {}, { ids: null }, { ids: Array(1001).fill(diskId) }]) {
      const res = await deleteTeamPolicies(red, body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.message, 'Bad request');
      assert.match(res.body.errors[0].reason, /^json decoder error/);
    }
    for (const teamId of ['0', 'red', '1.5']) assert.equal((await deleteTeamPolicies(teamId, { ids: [diskId] })).status, 400, `team id ${teamId}`);

    const unknownTeam = await deleteTeamPolicies(987654, { ids: [diskId] });
    assert.equal(unknownTeam.status, 404);
    assert.deepEqual(unknownTeam.body, notFoundBody('Team 987654 was not found in the datastore'));
    const unknownPolicy = await deleteTeamPolicies(red, { ids: [diskId, 987654] });
    assert.equal(unknownPolicy.status, 404);
    assert.deepEqual(unknownPolicy.body, notFoundBody('Policy 987654 was not found in the datastore'));
    for (const foreign of [blueId, globalId]) {
      const res = await deleteTeamPolicies(red, { ids: [diskId, foreign] });
      assert.equal(res.status, 403);
      assert.equal(res.body.message, 'Permission Denied');
      assert.equal(res.body.errors[0].reason, `attempting to delete policy that does not belong to team ${red}`);
    }
    const empty = await deleteTeamPolicies(red, { ids: [] });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {});
    assert.equal((await deleteTeamPolicies(987654, { ids: [] })).status, 404, 'the team is looked up before an empty list answers');
    await untouched();
  });

  it('lets an observer read but not delete; a maintainer may delete', async () => {
    const observer = await createUser(admin, 'observer');
    const maintainer = await createUser(admin, 'maintainer');
    const diskId = await specId('policies', 'red-disk');
    assert.deepEqual(names(await teamPolicies(red, observer)), ['red-disk', 'red-firewall']);
    assert.equal((await observer.get(`${F}/teams/${red}/policies/${diskId}`)).status, 200);

    const refused = await deleteTeamPolicies(red, { ids: [diskId] }, observer);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'Permission Denied');
    assert.equal((await deleteTeamPolicies(red, { ids: 'not even ids' }, observer)).status, 403, 'refused before the body is read');
    assert.equal((await admin.get(`${F}/teams/${red}/policies/${diskId}`)).status, 200, 'nothing deleted');

    const allowed = await deleteTeamPolicies(red, { ids: [diskId] }, maintainer);
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body, { deleted: [diskId] });
    assert.deepEqual(names(await teamPolicies(red)), ['red-firewall']);
  });
});
