/**
 * Fleet's fleet-wide reads, black box: GET /version, GET /hosts/count, GET /host_summary,
 * POST /targets and GET /global/policies, over hosts of two platforms, one of them in a team.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventually } from '../support/eventually';
import { type FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, ENROLL_SECRET } from '../support/shell-client';

const TEAM_SECRET = 'overview-team-secret';

async function enroll(url: string, hostname: string, platform: string, secret: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/osquery/enroll`, {
    method: 'POST',
    body: JSON.stringify({
      enroll_secret: secret,
      host_identifier: hostname,
      host_details: { system_info: { hostname }, os_version: { name: platform, version: '1', platform } },
    }),
  });
  assert.equal(res.status, 200, `enroll ${hostname}`);
}

describe('version, host counts, host summary, target search, global policies (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let teamId: number;
  const ids = new Map<string, number>();

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await applyEnrollSecret(admin);
    assert.equal((await admin.post('/api/v1/fleet/spec/teams', { specs: [{ name: 'overview-team', secrets: [{ secret: TEAM_SECRET }] }] })).status, 200);
    teamId = (await admin.get('/api/v1/fleet/spec/teams/overview-team')).body.specs.id;
    await enroll(logbook.url, 'overview-ubuntu-1', 'ubuntu', ENROLL_SECRET);
    await enroll(logbook.url, 'overview-ubuntu-2', 'ubuntu', ENROLL_SECRET);
    await enroll(logbook.url, 'overview-mac-1', 'darwin', TEAM_SECRET);
    const hosts = await eventually(async () => {
      const listed = (await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ id: number; hostname: string; platform: string }>;
      assert.equal(listed.filter((host) => host.platform !== '').length, 3);
      return listed;
    });
    for (const host of hosts) ids.set(host.hostname, host.id);
  });
  after(() => logbook.stop());

  it("GET /version answers Fleet's fields, with Logbook's package version", async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    const res = await admin.get('/api/v1/fleet/version');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['branch', 'build_date', 'build_user', 'go_version', 'revision', 'version']);
    assert.equal(res.body.version, version);
    assert.equal(res.body.go_version, process.version);
  });

  it('GET /hosts/count counts with the filters of GET /hosts', async () => {
    assert.deepEqual((await admin.get('/api/v1/fleet/hosts/count')).body, { count: 3 });
    assert.deepEqual((await admin.get('/api/v1/fleet/hosts/count?query=ubuntu')).body, { count: 2 });
    assert.deepEqual((await admin.get(`/api/v1/fleet/hosts/count?team_id=${teamId}`)).body, { count: 1 });
    assert.deepEqual((await admin.get('/api/v1/fleet/hosts/count?status=offline')).body, { count: 0 });
    assert.deepEqual((await admin.get('/api/v1/fleet/hosts/count?page=5&per_page=1')).body, { count: 3 }, 'paging does not change a count');
    assert.equal((await admin.get('/api/v1/fleet/hosts/count?status=sleepy')).status, 400);
  });

  it('GET /host_summary counts hosts by status and platform, fleet-wide or for a team', async () => {
    const summary = (await admin.get('/api/v1/fleet/host_summary')).body;
    assert.equal(summary.totals_hosts_count, 3);
    assert.equal(summary.online_count + summary.offline_count + summary.mia_count, 3);
    assert.equal(summary.online_count, 3, 'just enrolled hosts are online');
    assert.equal(summary.new_count, 3);
    assert.equal(summary.all_linux_count, 2);
    assert.deepEqual(summary.platforms, [{ platform: 'darwin', hosts_count: 1 }, { platform: 'ubuntu', hosts_count: 2 }]);
    assert.equal(summary.team_id, undefined);
    assert.ok(summary.builtin_labels.some((label: { name: string; label_type: string }) => label.name === 'All Hosts' && label.label_type === 'builtin'));
    const team = (await admin.get(`/api/v1/fleet/host_summary?team_id=${teamId}`)).body;
    assert.equal(team.team_id, teamId);
    assert.equal(team.totals_hosts_count, 1);
    assert.deepEqual(team.platforms, [{ platform: 'darwin', hosts_count: 1 }]);
  });

  it('POST /targets finds hosts, labels and teams by name, leaves out the selected ones and counts what the selection targets', async () => {
    const res = await admin.post('/api/v1/fleet/targets', { query: 'ubuntu', selected: { hosts: [ids.get('overview-ubuntu-1')] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.targets.hosts.map((host: { hostname: string }) => host.hostname), ['overview-ubuntu-2']);
    assert.ok(res.body.targets.hosts[0].display_text);
    const labels = res.body.targets.labels.map((label: { name: string; label_type: string }) => `${label.name}/${label.label_type}`);
    assert.deepEqual(labels, ['Ubuntu Linux/builtin']);
    assert.deepEqual(res.body.targets.teams, []);
    assert.deepEqual([res.body.targets_count, res.body.targets_online, res.body.targets_offline, res.body.targets_missing_in_action], [1, 1, 0, 0]);

    const byTeam = await admin.post('/api/v1/fleet/targets', { query: '', selected: { hosts: [ids.get('overview-ubuntu-1')], teams: [teamId] } });
    assert.equal(byTeam.body.targets_count, 2, 'one host selected by id, one by its team');
    assert.deepEqual(byTeam.body.targets.teams, [], 'the selected team is left out');
    const teams = (await admin.post('/api/v1/fleet/targets', { query: 'overview' })).body.targets.teams;
    assert.deepEqual(teams.map((team: { name: string; count: number }) => [team.name, team.count]), [['overview-team', 1]]);
    assert.equal((await admin.post('/api/v1/fleet/targets', { query: 7 })).status, 422);
  });

  it('GET /global/policies lists the policies of no team, GET /policies all of them', async () => {
    const applied = await admin.post('/api/v1/fleet/spec/policies', {
      specs: [{ name: 'overview-global', query: 'SELECT 1' }, { name: 'overview-team-policy', query: 'SELECT 2', team: 'overview-team' }],
    });
    assert.equal(applied.status, 200);
    const global = (await admin.get('/api/v1/fleet/global/policies')).body.policies;
    assert.deepEqual(global.map((policy: { name: string; team_id: number | null }) => [policy.name, policy.team_id]), [['overview-global', null]]);
    assert.equal(global[0].passing_host_count, 0);
    const all = (await admin.get('/api/v1/fleet/policies')).body.policies.map((policy: { name: string }) => policy.name);
    assert.deepEqual(all, ['overview-global', 'overview-team-policy']);
  });
});
