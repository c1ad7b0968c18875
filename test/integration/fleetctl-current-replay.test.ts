/**
 * A current fleetctl (/api/latest only) against a started Logbook, request by request as it sends
 * them (test/fixtures/fleetctl-current-requests.ts): login, then for each command the version and
 * config checks clientFromCLI makes before it, then the command's own requests, each answer read
 * as fleetctl decodes it.
 */
import assert from 'node:assert/strict';
import * as current from '../fixtures/fleetctl-current-requests';
import { ADMIN, setup, type ReplayedRequest } from '../fixtures/fleetctl-seed-requests';
import { eventually } from '../support/eventually';
import { expect200, replay } from '../support/fleetctl-replay';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { enrollHost } from '../support/shell-client';

describe('a current fleetctl (/api/latest), replayed (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let address: string;
  let token: string;

  /** One fleetctl command: clientFromCLI's checks, then its requests; answers each decoded. */
  async function command(...requests: ReplayedRequest[]): Promise<any[]> {
    const [version, config] = await Promise.all(current.beforeEveryCommand.map(async (sent) => expect200(await replay(address, sent, token), sent)));
    assert.equal(typeof version.version, 'string', 'Client.Version decodes version.Info');
    assert.equal(typeof config.org_info.org_name, 'string', 'Client.GetAppConfig decodes EnrichedAppConfig');
    const answers = [];
    for (const sent of requests) answers.push(expect200(await replay(address, sent, token), sent));
    return answers;
  }

  before(async () => {
    logbook = await startLogbook();
    address = logbook.url.replace('127.0.0.1', 'localhost');
    expect200(await replay(address, setup(address)), setup(address));
    await logInAndEnrollAHost();
  });
  after(() => logbook.stop());

  async function logInAndEnrollAHost(): Promise<void> {
    const login = current.login(ADMIN);
    token = expect200(await replay(address, login), login).token;
    const secret: ReplayedRequest = { why: 'test setup', method: 'POST', path: '/api/latest/fleet/spec/enroll_secret', body: '{"spec":{"secrets":[{"secret":"current-secret"}]}}' };
    expect200(await replay(address, secret, token), secret);
    await enrollHost(logbook.url, 'current-host', 'current-secret');
  }

  it('login answers a token, which the version and config checks accept', async () => {
    const sent = current.login(ADMIN);
    const body = expect200(await replay(address, sent), sent);
    assert.equal(body.user.email, ADMIN.email);
    token = body.token;
    const [version, config] = await Promise.all(current.beforeEveryCommand.map(async (check) => expect200(await replay(address, check, token), check)));
    assert.deepEqual(Object.keys(version).sort(), ['branch', 'build_date', 'build_user', 'go_version', 'revision', 'version']);
    assert.equal(config.org_info.org_name, 'Fleetctl Org');
    assert.equal((await replay(address, current.beforeEveryCommand[0]!, 'not-a-token')).status, 401, 'an expired session is reported before any command');
  });

  it('apply -f of queries (the whole QuerySpec) and labels is accepted, and get queries / get labels read them back', async () => {
    await command(...current.applyRequests);
    const [queries] = await command(current.getRequests.queries);
    const query = queries.queries.find((entry: { name: string }) => entry.name === 'current_uptime');
    assert.equal(query.query, 'SELECT * FROM uptime');
    assert.equal(typeof query.id, 'number');
    const [labels] = await command(current.getRequests.labels);
    const byName = new Map((labels.specs as Array<{ name: string; label_membership_type: string; hosts?: string[] }>).map((spec) => [spec.name, spec]));
    assert.deepEqual(byName.get('current-manual')?.hosts, ['current-host']);
    assert.equal(byName.get('current-dynamic')?.label_membership_type, 'dynamic');
    assert.ok(byName.has('All Hosts'));
  });

  it('refuses what Logbook cannot honour in a QuerySpec (a team, a schedule) rather than dropping it', async () => {
    const scheduled = { ...current.applyRequests[0]!, body: current.applyRequests[0]!.body!.replace('"interval":0', '"interval":60') };
    assert.equal((await replay(address, scheduled, token)).status, 422);
    const team = { ...current.applyRequests[0]!, body: current.applyRequests[0]!.body!.replace('"team":""', '"team":"t1"') };
    assert.equal((await replay(address, team, token)).status, 422);
  });

  it('get hosts (additional_info_filters escaped as url.Values encodes it) lists the enrolled host with its manual label', async () => {
    const hosts = await eventually(async () => {
      const [answer] = await command(current.getRequests.hosts);
      const listed = answer.hosts as Array<{ hostname: string; labels: Array<{ name: string }> }>;
      const host = listed.find((entry) => entry.hostname === 'current-host');
      assert.ok(host?.labels.some((label) => label.name === 'current-manual'), JSON.stringify(listed));
      return listed;
    });
    assert.equal(hosts.length, 1);
  });
});
