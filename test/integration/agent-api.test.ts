/** osquery's TLS API (black box): enrollment, config, distributed read/write, logs, host inventory. */
import assert from 'node:assert/strict';
import * as reference from '../fixtures/reference-specs';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { eventually } from '../support/eventually';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const GLOBAL_SECRET = 'global-secret-1';
const TEAM_SECRET = 'team-secret-1';

describe('agent API: osquery hosts (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let mac: FakeOsqueryHost;
  let ubuntu: FakeOsqueryHost;
  let labelIds: Record<string, number>;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: GLOBAL_SECRET }] } });
    await admin.post('/api/v1/fleet/spec/queries', reference.queriesForPacks);
    assert.equal((await admin.post('/api/v1/fleet/spec/packs', reference.applyPacks)).status, 200);
    await admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'mac-hosts-manual', label_membership_type: 'manual', hosts: ['mac-1.local'] }] });
    await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'osquery is recent', query: "SELECT 1 FROM osquery_info WHERE version >= '5'" }] });
    const labels = (await admin.get('/api/v1/fleet/spec/labels')).body.specs as Array<{ id: number; name: string }>;
    labelIds = Object.fromEntries(labels.map((label) => [label.name, label.id]));
    mac = new FakeOsqueryHost(logbook.url, 'mac-1.local', 'darwin');
    ubuntu = new FakeOsqueryHost(logbook.url, 'ubuntu-1', 'ubuntu');
  });
  after(() => logbook.stop());

  describe('enroll', () => {
    it('refuses a wrong secret with node_invalid', async () => {
      const res = await new FakeOsqueryHost(logbook.url, 'intruder', 'ubuntu').enroll('wrong');
      assert.equal(res.status, 401);
      assert.equal(res.body.node_invalid, true);
      assert.equal(typeof res.body.error, 'string');
    });

    it('gives a node key for the global secret', async () => {
      for (const host of [mac, ubuntu]) {
        const res = await host.enroll(GLOBAL_SECRET);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.match(res.body.node_key, /^\S{20,}$/);
      }
    });

    it('lists the new hosts with the facts from their enrollment', async () => {
      const found = await eventually(async () => {
        const hosts = (await admin.get('/api/v1/fleet/hosts')).body.hosts;
        assert.equal(hosts.length, 2);
        const found = hosts.find((host: { hostname: string }) => host.hostname === 'mac-1.local');
        assert.ok(found, 'mac host listed');
        return found;
      });
      assert.equal(found.platform, 'darwin');
      assert.equal(found.uuid, mac.uuid);
      assert.equal(found.hardware_serial, 'serial-mac-1.local');
      assert.equal(found.osquery_version, '5.12.1');
      assert.equal(found.os_version, 'macOS 14.5');
      assert.equal(found.status, 'online');
      assert.equal(found.team_id, null);
    });

    it('keeps the same host when the same identifier enrolls again, and retires the old node key', async () => {
      const oldKey = mac.nodeKey;
      const again = new FakeOsqueryHost(logbook.url, 'mac-1.local', 'darwin');
      assert.equal((await again.enroll(GLOBAL_SECRET)).status, 200);
      assert.notEqual(again.nodeKey, oldKey);
      assert.equal((await admin.get('/api/v1/fleet/hosts')).body.hosts.length, 2);
      const stale = await mac.read();
      assert.equal(stale.status, 401);
      assert.equal(stale.body.node_invalid, true);
      mac.nodeKey = again.nodeKey;
      assert.equal((await mac.read()).status, 200);
    });
  });

  describe('distributed read and write', () => {
    it('asks a new host for details, labels of its platform and policies, accelerated', async () => {
      const read = await ubuntu.read();
      assert.equal(read.status, 200);
      const names = Object.keys(read.body.queries);
      assert.ok(names.includes('fleet_detail_query_system_info'));
      assert.ok(names.includes(`fleet_label_query_${labelIds['All Hosts']}`));
      assert.ok(names.includes(`fleet_label_query_${labelIds['Ubuntu Linux']}`));
      assert.ok(!names.includes(`fleet_label_query_${labelIds.macOS}`), 'no macOS label query for ubuntu');
      assert.ok(!names.some((name) => name === `fleet_label_query_${labelIds['mac-hosts-manual']}`), 'manual labels are not queried');
      assert.ok(names.some((name) => name.startsWith('fleet_policy_query_')));
      assert.deepEqual(read.body.discovery, {});
      assert.equal(read.body.accelerate, 60);
    });

    it('records label membership and policy results from the answers', async () => {
      for (const host of [mac, ubuntu]) {
        const res = await host.answerLikeARealHost((name) => (name.startsWith('fleet_policy_query_') ? (host === mac ? [{ '1': '1' }] : []) : undefined));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body, {});
      }
      // The hosts read model is built by the projector from the host's events: eventually.
      const macHost = await eventually(async () => {
        const hosts = (await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ id: number; hostname: string; labels: Array<{ name: string }> }>;
        const macHost = hosts.find((host) => host.hostname === 'mac-1.local')!;
        const ubuntuHost = hosts.find((host) => host.hostname === 'ubuntu-1')!;
        assert.deepEqual(macHost.labels.map((label) => label.name).sort(), ['All Hosts', 'mac-hosts-manual', 'macOS']);
        assert.deepEqual(ubuntuHost.labels.map((label) => label.name).sort(), ['All Hosts', 'Ubuntu Linux']);
        return macHost;
      });
      // Labels and policy results are separate events: each host's policy result shows up on its own.
      await eventually(async () => {
        const detail = (await admin.get(`/api/v1/fleet/hosts/${macHost.id}`)).body.host;
        assert.equal(detail.primary_ip, '10.0.0.7');
        assert.deepEqual(detail.policies.map((policy: { name: string; response: string }) => [policy.name, policy.response]), [['osquery is recent', 'pass']]);
        const policies = (await admin.get('/api/v1/fleet/policies')).body.policies;
        const policy = policies.find((entry: { name: string }) => entry.name === 'osquery is recent');
        assert.equal(policy.passing_host_count, 1);
        assert.equal(policy.failing_host_count, 1);
      });
    });

    it('asks nothing more once everything is fresh, and no longer accelerates', async () => {
      const read = await ubuntu.read();
      assert.deepEqual(read.body, { queries: {}, discovery: {} });
    });

    it('filters hosts by label, status, query and pages them', async () => {
      const byLabel = (await admin.get(`/api/v1/fleet/labels/${labelIds.macOS}/hosts`)).body.hosts;
      assert.deepEqual(byLabel.map((host: { hostname: string }) => host.hostname), ['mac-1.local']);
      const filtered = (await admin.get(`/api/v1/fleet/hosts?label_id=${labelIds['Ubuntu Linux']}`)).body.hosts;
      assert.deepEqual(filtered.map((host: { hostname: string }) => host.hostname), ['ubuntu-1']);
      assert.equal((await admin.get('/api/v1/fleet/hosts?status=online')).body.hosts.length, 2);
      assert.equal((await admin.get('/api/v1/fleet/hosts?status=offline')).body.hosts.length, 0);
      assert.equal((await admin.get('/api/v1/fleet/hosts?status=new')).body.hosts.length, 2);
      assert.deepEqual((await admin.get('/api/v1/fleet/hosts?query=UBUNTU')).body.hosts.map((host: { hostname: string }) => host.hostname), ['ubuntu-1']);
      const firstPage = (await admin.get('/api/v1/fleet/hosts?per_page=1&page=0')).body.hosts;
      const secondPage = (await admin.get('/api/v1/fleet/hosts?per_page=1&page=1')).body.hosts;
      assert.equal(firstPage.length, 1);
      assert.equal(secondPage.length, 1);
      assert.notEqual(firstPage[0].id, secondPage[0].id);
      assert.equal((await admin.get('/api/v1/fleet/labels/99999/hosts')).status, 404);
      assert.equal((await admin.get('/api/v1/fleet/hosts/99999')).status, 404);
      assert.equal((await admin.get('/api/v1/fleet/hosts?status=sleeping')).status, 400);
    });
  });

  describe('config', () => {
    it('holds the agent options and exactly the packs targeted at the host', async () => {
      const config = (await ubuntu.config()).body;
      assert.equal(config.options.distributed_interval, 10);
      assert.ok(Array.isArray(config.decorators.load));
      assert.deepEqual(Object.keys(config.packs), ['pack_1'], 'pack_1 targets All Hosts; pack_2 targets nothing');
      const query = config.packs.pack_1.queries.osquery_info;
      assert.deepEqual(Object.keys(query).sort(), ['denylist', 'interval', 'platform', 'query', 'removed', 'shard', 'snapshot', 'version']);
      assert.equal(query.interval, 6667);
      assert.equal(query.snapshot, true);
      assert.match(query.query, /osquery_info/i);
    });

    it('gives a team host its team agent options and the team-targeted packs', async () => {
      await admin.post('/api/v1/fleet/spec/teams', {
        specs: [{ ...reference.applyTeams.specs[0], name: 'Workstations', secrets: [{ secret: TEAM_SECRET }], agent_options: { config: { options: { distributed_interval: 30 }, decorators: { load: [] } } } }],
      });
      await admin.post('/api/v1/fleet/spec/packs', { specs: [{ name: 'team-pack', targets: { labels: [], teams: ['Workstations'] }, queries: [{ query: 'osquery_info', name: 'info', interval: 60 }] }] });
      const member = new FakeOsqueryHost(logbook.url, 'ws-1', 'windows');
      assert.equal((await member.enroll(TEAM_SECRET)).status, 200);
      const config = (await member.config()).body;
      assert.equal(config.options.distributed_interval, 30);
      assert.ok(Object.keys(config.packs).includes('team-pack'));
      await eventually(async () => {
        const listed = (await admin.get('/api/v1/fleet/hosts?query=ws-1')).body.hosts[0];
        assert.equal(listed?.team_name, 'Workstations');
      });
      assert.ok(!Object.keys((await ubuntu.config()).body.packs).includes('team-pack'));
    });
  });

  describe('logs', () => {
    it('accepts result and status logs', async () => {
      const result = await ubuntu.post('log', { log_type: 'result', data: [{ name: 'pack/pack_1/osquery_info', hostIdentifier: ubuntu.uuid, columns: { version: '5.12.1' }, action: 'snapshot' }] });
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, {});
      assert.equal((await ubuntu.post('log', { log_type: 'status', data: [{ severity: '0', message: 'hello' }] })).status, 200);
    });
  });

  describe('bad input', () => {
    const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${logbook.url}/api/v1/osquery/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (res) => ({ status: res.status, body: (await res.json()) as { node_invalid?: boolean; error?: string } }));

    it('answers 401 node_invalid to an unknown node key on every endpoint', async () => {
      for (const path of ['config', 'distributed/read', 'distributed/write', 'log']) {
        const res = await raw(path, JSON.stringify({ node_key: 'nope' }));
        assert.equal(res.status, 401, path);
        assert.equal(res.body.node_invalid, true, path);
      }
    });

    it('answers 400 to malformed or truncated JSON and to non-object bodies', async () => {
      assert.equal((await raw('distributed/read', '{"node_key": "abc"')).status, 400);
      assert.equal((await raw('distributed/read', '[1, 2]')).status, 400);
      assert.equal((await raw('enroll', '"text"')).status, 400);
    });

    it('answers 400 to wrong shapes, nothing recorded', async () => {
      const before = (await admin.get('/api/v1/fleet/hosts?query=ubuntu-1')).body.hosts[0];
      const cases = [
        { queries: [], statuses: {} },
        { queries: {}, statuses: [] },
        { queries: { x: 'rows' } },
        { queries: {}, statuses: { x: 'zero' } },
        { queries: {}, messages: { x: 5 } },
        { queries: { fleet_detail_query_system_info: [{ hostname: 'renamed' }], x: 'rows' } },
      ];
      for (const body of cases) {
        const res = await ubuntu.post('distributed/write', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(typeof res.body.error, 'string');
      }
      const after = (await admin.get('/api/v1/fleet/hosts?query=ubuntu-1')).body.hosts[0];
      assert.equal(after.hostname, 'ubuntu-1');
      assert.deepEqual(after.labels, before.labels);
    });

    // That nothing of them is recorded: agent-hostile-input.test.ts (it waits for a known answer beside them).
    it('accepts answers to queries it did not hand out, as Fleet does', async () => {
      const res = await ubuntu.post('distributed/write', { queries: { not_asked_at_all: [], fleet_label_query_424242: [{ '1': '1' }], fleet_detail_query_nope: [] } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });

    it('answers 400 to an unknown log_type or data that is not a list', async () => {
      assert.equal((await ubuntu.post('log', { log_type: 'snapshot', data: [] })).status, 400);
      assert.equal((await ubuntu.post('log', { log_type: 'result', data: 'line' })).status, 400);
    });

    it('answers 413 to an oversized body and 405 to GET', async () => {
      const huge = JSON.stringify({ node_key: ubuntu.nodeKey, log_type: 'result', data: ['x'.repeat(17 * 1024 * 1024)] });
      assert.equal((await raw('log', huge)).status, 413);
      const get = await fetch(`${logbook.url}/api/v1/osquery/config`);
      assert.equal(get.status, 405);
      assert.equal((await raw('enroll', JSON.stringify({ enroll_secret: GLOBAL_SECRET, host_identifier: '' }))).status, 400);
    });
  });

  describe('restart', () => {
    it('keeps hosts, labels and node keys across kill -9', async () => {
      const before = (await admin.get('/api/v1/fleet/hosts')).body.hosts.map((host: Record<string, unknown>) => ({ ...host, seen_time: undefined, status: undefined }));
      await logbook.kill();
      logbook = await startLogbook({ dataDir: logbook.dataDir });
      const client = new FleetClient(logbook.url, admin.token);
      const after = (await client.get('/api/v1/fleet/hosts')).body.hosts.map((host: Record<string, unknown>) => ({ ...host, seen_time: undefined, status: undefined }));
      assert.deepEqual(after, before);
      const restartedHost = new FakeOsqueryHost(logbook.url, 'ubuntu-1', 'ubuntu');
      restartedHost.nodeKey = ubuntu.nodeKey;
      const read = await restartedHost.read();
      assert.equal(read.status, 200);
      assert.equal((await restartedHost.config()).status, 200);
      admin = client;
    });
  });
});
