/**
 * Fleet's application config, black box: GET /config as each role (what only admins read zeroed
 * or left out, the SMTP password masked), PATCH /config merging as Fleet does, a malformed or
 * invalid patch refused with nothing applied, the activity feed, and the global agent options
 * configuring hosts without team agent options.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, ENROLL_SECRET, enrollHost } from '../support/shell-client';

async function osqueryOptions(url: string, nodeKey: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/v1/osquery/config`, { method: 'POST', body: JSON.stringify({ node_key: nodeKey }) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { options: Record<string, unknown> }).options;
}

describe('GET and PATCH /config (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let observer: FleetClient;
  let maintainer: FleetClient;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    const login = async (email: string, role: string) => {
      assert.equal((await admin.post('/api/v1/fleet/users/admin', { name: role, email, password: 'config-pass-12!', global_role: role })).status, 200);
      const res = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email, password: 'config-pass-12!' });
      return new FleetClient(logbook.url, res.body.token);
    };
    observer = await login('observer@example.com', 'observer');
    maintainer = await login('maintainer@example.com', 'maintainer');
  });
  after(() => logbook.stop());

  it("answers setup's organization and Fleet's defaults, agent options included, to an admin", async () => {
    const config = (await admin.get('/api/v1/fleet/config')).body;
    assert.deepEqual(config.org_info, { org_name: 'Example Org', org_logo_url: '' });
    assert.equal(config.server_settings.server_url, 'https://logbook.example.com');
    assert.equal(config.agent_options.config.options.distributed_interval, 10);
    assert.equal(config.smtp_settings.port, 587);
    assert.equal(config.license.tier, 'free');
    assert.equal(config.update_interval.osquery_detail, 3600 * 1e9, 'Go durations are nanoseconds');
    assert.equal(config.webhook_settings.interval, '24h0m0s');
  });

  it('merges a patch into what is there, masks the SMTP password, and records the change as activity', async () => {
    const res = await admin.request('PATCH', '/api/v1/fleet/config', {
      org_info: { org_name: 'Renamed Org' },
      smtp_settings: { server: 'smtp.example.com', password: 'smtp-secret-1' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.org_info, { org_name: 'Renamed Org', org_logo_url: '' });
    assert.equal(res.body.server_settings.server_url, 'https://logbook.example.com', 'fields not in the patch are kept');
    assert.equal(res.body.smtp_settings.server, 'smtp.example.com');
    assert.equal(res.body.smtp_settings.port, 587);
    assert.equal(res.body.smtp_settings.password, '********');
    const read = (await admin.get('/api/v1/fleet/config')).body;
    assert.equal(read.org_info.org_name, 'Renamed Org');
    assert.ok(!JSON.stringify(read).includes('smtp-secret-1'), 'the password is never answered');
    const activities = (await admin.get('/api/v1/fleet/activities')).body.activities as Array<{ type: string; details: { changed?: string[] } }>;
    const edited = activities.find((activity) => activity.type === 'edited_app_config');
    assert.deepEqual(edited?.details.changed, ['org_info.org_name', 'smtp_settings.server', 'smtp_settings.password']);
    assert.ok(!JSON.stringify(activities).includes('smtp-secret-1'));
  });

  it('answers observers and maintainers without SMTP, SSO, host expiry settings and agent options, as Fleet does', async () => {
    for (const client of [observer, maintainer]) {
      const res = await client.get('/api/v1/fleet/config');
      assert.equal(res.status, 200);
      assert.equal(res.body.org_info.org_name, 'Renamed Org');
      assert.equal(res.body.agent_options, undefined);
      assert.equal(res.body.smtp_settings.server, '');
      assert.equal(res.body.smtp_settings.password, '');
      assert.deepEqual(res.body.host_expiry_settings, { host_expiry_enabled: false, host_expiry_window: 0 });
      assert.ok(!JSON.stringify(res.body).includes('smtp.example.com'));
    }
  });

  it('lets only admins patch', async () => {
    for (const client of [observer, maintainer]) assert.equal((await client.request('PATCH', '/api/v1/fleet/config', { org_info: { org_name: 'Nope' } })).status, 403);
    assert.equal((await admin.get('/api/v1/fleet/config')).body.org_info.org_name, 'Renamed Org');
  });

  it("refuses a malformed patch with Fleet's 400, and an invalid result with 422, applying nothing of either", async () => {
    const before = (await admin.get('/api/v1/fleet/config')).body;
    const activitiesBefore = (await admin.get('/api/v1/fleet/activities')).body.activities.length;
    const unknown = await admin.request('PATCH', '/api/v1/fleet/config', { org_info: { org_name: 'Half Applied' }, server_settings: { no_such_field: true } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.message, 'Bad request');
    assert.equal(unknown.body.errors[0].name, 'server_settings.no_such_field');
    const wrongType = await admin.request('PATCH', '/api/v1/fleet/config', { org_info: { org_name: 'Half Applied' }, host_expiry_settings: { host_expiry_window: '30' } });
    assert.equal(wrongType.status, 400);
    assert.equal((await admin.request('PATCH', '/api/v1/fleet/config', '{"org_info": ')).status, 400);
    const invalid = await admin.request('PATCH', '/api/v1/fleet/config', { org_info: { org_name: 'Half Applied' }, host_expiry_settings: { host_expiry_enabled: true } });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.errors[0].name, 'host_expiry_window');
    assert.deepEqual((await admin.get('/api/v1/fleet/config')).body, before);
    assert.equal((await admin.get('/api/v1/fleet/activities')).body.activities.length, activitiesBefore);
  });

  it('configures hosts without team agent options with the global agent options, and leaves a team with its own', async () => {
    await applyEnrollSecret(admin);
    const teams = await admin.post('/api/v1/fleet/spec/teams', {
      specs: [
        { name: 'own-options', agent_options: { config: { options: { distributed_interval: 77 } } }, secrets: [{ secret: 'own-options-secret' }] },
        { name: 'no-options', secrets: [{ secret: 'no-options-secret' }] },
      ],
    });
    assert.equal(teams.status, 200);
    const global = await enrollHost(logbook.url, 'config-global-host', ENROLL_SECRET);
    const own = await enrollHost(logbook.url, 'config-own-host', 'own-options-secret');
    const inherits = await enrollHost(logbook.url, 'config-inherits-host', 'no-options-secret');
    assert.equal((await osqueryOptions(logbook.url, global)).distributed_interval, 10, "Fleet's defaults before any change");

    const options = { config: { options: { distributed_interval: 42, logger_tls_period: 5 } }, overrides: {} };
    assert.equal((await admin.request('PATCH', '/api/v1/fleet/config', { agent_options: options })).status, 200);
    await eventually(async () => assert.deepEqual(await osqueryOptions(logbook.url, global), options.config.options));
    assert.deepEqual(await osqueryOptions(logbook.url, inherits), options.config.options);
    assert.deepEqual(await osqueryOptions(logbook.url, own), { distributed_interval: 77 });
    assert.equal((await admin.get('/api/v1/fleet/config')).body.agent_options.config.options.distributed_interval, 42);
    const activities = (await admin.get('/api/v1/fleet/activities')).body.activities as Array<{ type: string; details: object }>;
    assert.deepEqual(activities.find((activity) => activity.type === 'edited_agent_options')?.details, { global: true, team_id: null, team_name: null });
  });
});
