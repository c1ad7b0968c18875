/**
 * The seed-era fleetctl against a started Logbook, request by request as fleetctl sends them
 * (test/fixtures/fleetctl-seed-requests.ts), and the answers read as fleetctl reads them.
 */
import assert from 'node:assert/strict';
import * as fleetctl from '../fixtures/fleetctl-seed-requests';
import { eventually } from '../support/eventually';
import { decodeTeams, decodeUsers, teamsTable, userRolesSpec, userRolesTable } from '../support/fleetctl-decode';
import { expect200, replay } from '../support/fleetctl-replay';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { enrollHost } from '../support/shell-client';

describe('the seed-era fleetctl, replayed (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let address: string;
  let token: string;

  /** A user made as `fleetctl user create --global-role ROLE` makes one, logged in: its token. */
  async function tokenOf(role: 'maintainer' | 'observer', name: string): Promise<string> {
    const user = { name, email: `${role}-${name.toLowerCase().replace(/\W+/g, '-')}@example.com`, password: 'replay-pass-12!' };
    expect200(await replay(address, fleetctl.userCreate(user, role), token), fleetctl.userCreate(user, role));
    const login = fleetctl.login(user);
    return expect200(await replay(address, login), login).token;
  }

  before(async () => {
    logbook = await startLogbook();
    // fleetctl allows http:// only for localhost: its context address names localhost, not 127.0.0.1.
    address = logbook.url.replace('127.0.0.1', 'localhost');
  });
  after(() => logbook.stop());

  it('setup on a fresh server answers the token fleetctl stores', async () => {
    const sent = fleetctl.setup(address);
    const body = expect200(await replay(address, sent), sent);
    assert.equal(typeof body.token, 'string');
    assert.ok(body.token.length > 0);
    assert.equal(body.admin.email, fleetctl.ADMIN.email);
    token = body.token;
  });

  it('setup on a set-up server answers 404, which fleetctl reports as "Fleet has already been setup"', async () => {
    // Client.Setup: `if response.StatusCode == http.StatusNotFound { return "", setupAlreadyErr{} }`.
    const answer = await replay(address, fleetctl.setup(address, { ...fleetctl.ADMIN, email: 'second@example.com' }));
    assert.equal(answer.status, 404);
    assert.equal(answer.json.message, 'Resource Not Found');
  });

  it('login answers a token, and Me (sent before every command) answers the user', async () => {
    const sent = fleetctl.login();
    const body = expect200(await replay(address, sent), sent);
    assert.equal(typeof body.token, 'string');
    token = body.token;
    const me = expect200(await replay(address, fleetctl.me, token), fleetctl.me);
    assert.equal(me.user.email, fleetctl.ADMIN.email);
    assert.equal(me.user.global_role, 'admin');
  });

  it('apply -f of every kind is accepted as fleetctl marshals it', async () => {
    for (const sent of fleetctl.applyRequests) expect200(await replay(address, sent, token), sent);
  });

  it('get of each kind reads back what was applied, in the shapes fleetctl decodes', async () => {
    const get = async (sent: fleetctl.ReplayedRequest) => expect200(await replay(address, sent, token), sent);
    const queries = await get(fleetctl.getRequests.queries);
    assert.ok(queries.specs.some((spec: { name: string }) => spec.name === 'fleetctl_osquery_info'));
    assert.deepEqual((await get(fleetctl.getRequests.query)).specs, { name: 'fleetctl_osquery_info', description: 'From fleetctl', query: 'SELECT * FROM osquery_info' });

    const pack = (await get(fleetctl.getRequests.pack)).specs;
    assert.equal(pack.platform, 'linux');
    assert.deepEqual(pack.targets.labels, ['fleetctl-manual']);
    assert.deepEqual(
      pack.queries.map((query: Record<string, unknown>) => [query.name, query.interval, query.snapshot, query.removed, query.platform]),
      [['fleetctl_osquery_info', 60, true, false, 'linux']],
    );
    assert.ok((await get(fleetctl.getRequests.packs)).specs.some((spec: { name: string }) => spec.name === 'fleetctl-pack'));

    const label = (await get(fleetctl.getRequests.label)).specs;
    assert.equal(label.label_membership_type, 'manual');
    const labels = (await get(fleetctl.getRequests.labels)).specs.map((spec: { name: string }) => spec.name);
    assert.ok(labels.includes('fleetctl-dynamic') && labels.includes('All Hosts'), labels.join(', '));

    // fleetctl prints spec.secrets as an enroll_secret document: the applied secret, with Logbook's own time.
    const secrets = (await get(fleetctl.getRequests.enrollSecret)).spec.secrets;
    assert.deepEqual(secrets.map((secret: { secret: string }) => secret.secret), ['fleetctl-global-secret']);
    assert.notEqual(secrets[0].created_at, '0001-01-01T00:00:00Z');
  });

  it('a team secret applied with its created_at enrolls a host into that team', async () => {
    const nodeKey = await enrollHost(logbook.url, 'fleetctl-team-host', 'fleetctl-team-secret');
    assert.ok(nodeKey.length > 0);
    const host = await eventually(async () => expect200(await replay(address, fleetctl.getHost('fleetctl-team-host'), token), fleetctl.getHost('fleetctl-team-host')).host);
    assert.equal(host.team_name, 'fleetctl-team');
  });

  it('get hosts (additional_info_filters=*) and get host by hostname', async () => {
    await enrollHost(logbook.url, 'fleetctl-host', 'fleetctl-global-secret');
    const hosts = await eventually(async () => {
      const listed = expect200(await replay(address, fleetctl.getRequests.hosts, token), fleetctl.getRequests.hosts).hosts as Array<{ hostname: string }>;
      assert.ok(listed.some((host) => host.hostname === 'fleetctl-host'));
      return listed;
    });
    assert.ok(hosts.length >= 2);
    const sent = fleetctl.getHost('fleetctl-host');
    const host = expect200(await replay(address, sent, token), sent).host;
    assert.equal(host.hostname, 'fleetctl-host');
    assert.ok(host.labels.some((label: { name: string }) => label.name === 'fleetctl-manual'), 'the manual label names this host');
    const missing = await replay(address, fleetctl.getHost('no-such-host'), token);
    assert.equal(missing.status, 404);
  });

  it('get teams answers every team as fleet.Team decodes it: host counts by team, secrets and agent options for an admin', async () => {
    const sent = fleetctl.getRequests.teams;
    const teams = decodeTeams(expect200(await replay(address, sent, token), sent));
    assert.deepEqual(teamsTable(teams), [['fleetctl-team', '', '0'], ['fleetctl-team-without-secrets', '', '0']]);
    const [team, bare] = teams;
    assert.equal(team!.host_count, 1, 'fleetctl-team-host enrolled with the team secret');
    assert.equal(bare!.host_count, 0);
    assert.deepEqual(team!.agent_options, { config: { options: { distributed_interval: 10 } } });
    assert.deepEqual(team!.secrets.map((secret) => [secret.secret, secret.team_id]), [['fleetctl-team-secret', team!.id]]);
    assert.deepEqual(bare!.secrets, []);
    assert.notEqual(team!.created_at, '0001-01-01T00:00:00Z');
    // GET /teams/{id} (Fleet's UI) answers the same team; an unknown id is Fleet's 404.
    const one = { why: 'GET /teams/{id}', method: 'GET' as const, path: `/api/v1/fleet/teams/${team!.id}` };
    assert.deepEqual(decodeTeams({ teams: [expect200(await replay(address, one, token), one).team] }), [team]);
    // Fleet's list options: `query` (what a later fleetctl's --name sends) matches within the name, any case.
    const names = async (query: string) => decodeTeams(expect200(await replay(address, { ...sent, query }, token), sent)).map((listed) => listed.name);
    assert.deepEqual(await names('query=WITHOUT'), ['fleetctl-team-without-secrets']);
    assert.deepEqual(await names('order_key=name&order_direction=desc'), ['fleetctl-team-without-secrets', 'fleetctl-team']);
    assert.deepEqual(await names('page=1&per_page=1'), ['fleetctl-team-without-secrets']);
    assert.equal((await replay(address, { ...sent, query: 'page=-1' }, token)).status, 400);
    const missing = await replay(address, { ...one, path: '/api/v1/fleet/teams/999999' }, token);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'Resource Not Found');
  });

  it('get teams as a maintainer leaves out agent options, as an observer secrets too; both still see the host counts', async () => {
    const sent = fleetctl.getRequests.teams;
    const asMaintainer = expect200(await replay(address, sent, await tokenOf('maintainer', 'Max Maintainer')), sent);
    assert.equal('agent_options' in asMaintainer.teams[0], false);
    assert.deepEqual(decodeTeams(asMaintainer)[0]!.secrets.map((secret) => secret.secret), ['fleetctl-team-secret']);
    const asObserver = expect200(await replay(address, sent, await tokenOf('observer', 'Otto Observer')), sent);
    assert.equal('agent_options' in asObserver.teams[0], false);
    assert.equal('secrets' in asObserver.teams[0], false);
    assert.doesNotMatch(JSON.stringify(asObserver), /fleetctl-team-secret|distributed_interval/);
    assert.deepEqual(decodeTeams(asObserver).map((team) => [team.name, team.host_count]), [['fleetctl-team', 1], ['fleetctl-team-without-secrets', 0]]);
  });

  it('user create (admin_forced_password_reset, teams: null) creates a global observer who can log in', async () => {
    const user = { name: 'Olive Observer', email: 'olive@example.com', password: 'olive-pass-12!' };
    const sent = fleetctl.userCreate(user);
    const created = expect200(await replay(address, sent, token), sent).user;
    assert.equal(created.email, user.email);
    assert.equal(created.global_role, 'observer');
    const login = fleetctl.login(user);
    assert.equal(typeof expect200(await replay(address, login), login).token, 'string');
  });

  it('get user_roles lists every user with the global role fleetctl prints; a maintainer is refused, as Fleet refuses', async () => {
    const sent = fleetctl.getRequests.userRoles;
    const users = decodeUsers(expect200(await replay(address, sent, token), sent));
    assert.deepEqual(userRolesTable(users), [
      ['Fleetctl Admin', 'admin'],
      ['Max Maintainer', 'maintainer'],
      ['Otto Observer', 'observer'],
      ['Olive Observer', 'observer'],
    ]);
    assert.deepEqual(userRolesSpec(users).roles['olive@example.com'], { global_role: 'observer', teams: null });
    const refused = await replay(address, sent, await tokenOf('maintainer', 'Mia Maintainer'));
    assert.equal(refused.status, 403);
    assert.equal(refused.json.message, 'Permission Denied');
  });

  it('keeps Fleet\'s errors for real mistakes in the same requests', async () => {
    const noSecret = { ...fleetctl.applyRequests[4]!, body: '{"spec":{"secrets":[{"created_at":"0001-01-01T00:00:00Z"}]}}' };
    assert.equal((await replay(address, noSecret, token)).status, 422);
    const badTime = { ...fleetctl.applyRequests[4]!, body: '{"spec":{"secrets":[{"secret":"x","created_at":"yesterday"}]}}' };
    assert.equal((await replay(address, badTime, token)).status, 422);
    const badUser = fleetctl.userCreate({ name: 'N', email: 'not-an-email', password: 'olive-pass-12!' });
    assert.equal((await replay(address, badUser, token)).status, 422);
  });

  it('takes a dynamic label with "hosts": null, as later fleetctl releases marshal it, and keeps it dynamic', async () => {
    const sent = { ...fleetctl.applyRequests[1]!, body: '{"specs":[{"id":0,"name":"later-dynamic","description":"","query":"SELECT 1","label_membership_type":"dynamic","hosts":null}]}' };
    expect200(await replay(address, sent, token), sent);
    const read = { ...fleetctl.getRequests.label, path: '/api/v1/fleet/spec/labels/later-dynamic' };
    const label = expect200(await replay(address, read, token), read).specs;
    assert.equal(label.label_membership_type, 'dynamic');
    assert.equal(label.hosts, undefined);
  });

  it('delete -f of the same YAML deletes its queries, packs and labels, and leaves its other kinds', async () => {
    for (const sent of fleetctl.deleteRequests) assert.deepEqual(expect200(await replay(address, sent, token), sent), {});
    for (const sent of [fleetctl.getRequests.query, fleetctl.getRequests.pack, fleetctl.getRequests.label]) {
      assert.equal((await replay(address, sent, token)).status, 404, `${sent.path} after the deletion`);
    }
    const labels = expect200(await replay(address, fleetctl.getRequests.labels, token), fleetctl.getRequests.labels).specs.map((spec: { name: string }) => spec.name);
    assert.ok(!labels.includes('fleetctl-manual') && !labels.includes('fleetctl-dynamic') && labels.includes('All Hosts'), labels.join(', '));
    const secrets = expect200(await replay(address, fleetctl.getRequests.enrollSecret, token), fleetctl.getRequests.enrollSecret).spec.secrets;
    assert.deepEqual(secrets.map((secret: { secret: string }) => secret.secret), ['fleetctl-global-secret'], 'enroll secrets are not deleted');
    const policies = { why: 'the policy the YAML applied', method: 'GET' as const, path: '/api/v1/fleet/spec/policies/fleetctl-policy' };
    assert.equal((await replay(address, policies, token)).status, 200, 'policies are not deleted');
  });

  it('delete -f again answers 404 for each, which fleetctl prints as "doesn\'t exist" and goes on', async () => {
    for (const sent of fleetctl.deleteRequests) {
      const answer = await replay(address, sent, token);
      assert.equal(answer.status, 404, sent.path);
      assert.equal(answer.json.message, 'Resource Not Found');
      assert.match(answer.json.errors[0].reason, /was not found in the datastore$/);
    }
  });

  it('get config answers the AppConfig fleetctl decodes and prints (admin: agent options included)', async () => {
    const config = expect200(await replay(address, fleetctl.getConfig, token), fleetctl.getConfig);
    assert.deepEqual(config.org_info, { org_name: 'Fleetctl Org', org_logo_url: '' });
    assert.equal(config.server_settings.server_url, address);
    assert.equal(typeof config.server_settings.live_query_disabled, 'boolean');
    assert.equal(typeof config.smtp_settings.port, 'number');
    assert.equal(typeof config.host_expiry_settings.host_expiry_window, 'number');
    assert.equal(config.agent_options.config.options.logger_plugin, 'tls');
    // EnrichedAppConfig's own fields decode as Go types: durations in nanoseconds, a time for the license.
    assert.equal(typeof config.update_interval.osquery_detail, 'number');
    assert.equal(config.license.expiration, '0001-01-01T00:00:00Z');
  });

  it('apply of kind: config (PATCH, keys sorted as json.Marshal of a map) merges into the config and reconfigures hosts without a team', async () => {
    const nodeKey = await enrollHost(logbook.url, 'fleetctl-config-host', 'fleetctl-global-secret');
    const patched = expect200(await replay(address, fleetctl.applyConfig, token), fleetctl.applyConfig);
    assert.equal(patched.org_info.org_name, 'Fleetctl Org Renamed');
    assert.deepEqual(patched.host_expiry_settings, { host_expiry_enabled: true, host_expiry_window: 30 });
    const config = expect200(await replay(address, fleetctl.getConfig, token), fleetctl.getConfig);
    assert.equal(config.server_settings.server_url, 'https://localhost:8080');
    assert.deepEqual(config.agent_options, { config: { options: { distributed_interval: 20 } }, overrides: {} });
    await eventually(async () => {
      const res = await fetch(`${logbook.url}/api/v1/osquery/config`, { method: 'POST', body: JSON.stringify({ node_key: nodeKey }) });
      assert.deepEqual(((await res.json()) as { options: object }).options, { distributed_interval: 20 });
    });
    // A mistake in the document is Fleet's 400, and nothing of it is applied.
    const typo = { ...fleetctl.applyConfig, body: '{"org_info":{"org_name":"Half"},"server_settings":{"server_ulr":"https://typo.test"}}' };
    assert.equal((await replay(address, typo, token)).status, 400);
    assert.equal(expect200(await replay(address, fleetctl.getConfig, token), fleetctl.getConfig).org_info.org_name, 'Fleetctl Org Renamed');
  });

  it('logout ends the session: Me then answers 401, which fleetctl reports as unauthenticated', async () => {
    expect200(await replay(address, fleetctl.logout, token), fleetctl.logout);
    assert.equal((await replay(address, fleetctl.me, token)).status, 401);
  });
});
