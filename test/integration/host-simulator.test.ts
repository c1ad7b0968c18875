/**
 * The host simulator against a fake osquery TLS server: what the server sees is what osqueryd
 * would send (enroll, config, distributed read/write, logs, re-enroll on node_invalid).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startHostSimulator, type DistributedWriteEvent, type HostSimulator } from '../../services/host-simulator';
import { FakeOsqueryServer, waitFor } from '../support/fake-osquery-server';

const SECRET = 'simulator-secret';
const ENROLL = '/api/v1/osquery/enroll';
const CONFIG = '/api/v1/osquery/config';
const WRITE = '/api/v1/osquery/distributed/write';
const LOG = '/api/v1/osquery/log';
const MAIN = path.join(__dirname, '../../services/host-simulator/main.js');

const config = {
  options: { distributed_interval: 1, logger_tls_period: 1 },
  decorators: { load: ['SELECT hostname AS decorated_hostname FROM system_info'] },
  packs: {
    monitoring: {
      queries: {
        users_list: { query: 'SELECT username, uid FROM users', interval: 1, snapshot: false, removed: true, platform: '', version: '', shard: null, denylist: true },
        mount_count: { query: 'SELECT COUNT(*) AS n FROM mounts', interval: 1, snapshot: true },
      },
    },
    windows_only: { platform: 'windows', queries: { programs: { query: 'SELECT name FROM programs', interval: 1 } } },
  },
};

describe('host simulator against a fake osquery server', function () {
  this.timeout(60_000);
  let server: FakeOsqueryServer;
  let simulator: HostSimulator;
  const writes: DistributedWriteEvent[] = [];

  before(async () => {
    server = await FakeOsqueryServer.start({ enrollSecret: SECRET, config });
    simulator = await startHostSimulator({
      url: server.url,
      enrollSecret: SECRET,
      hosts: 8,
      seed: 'integration',
      platformMix: { darwin: 1, ubuntu: 1, centos: 0, windows: 1 },
      distributedIntervalSec: 1,
      loggerTlsPeriodSec: 1,
      configRefreshSec: 30,
      hooks: { onDistributedWrite: (event) => writes.push(event) },
    });
    await simulator.ready;
  });
  after(async () => {
    await simulator?.stop();
    await server?.close();
  });

  it('enrolls every host with osqueryd’s enroll body', () => {
    const enrolls = server.requestsTo(ENROLL);
    assert.equal(new Set(enrolls.map((request) => request.body.host_identifier)).size, 8);
    const expectedPlatformType: Record<string, string> = { darwin: '21', ubuntu: '9', windows: '2' };
    for (const host of simulator.hosts) {
      const request = enrolls.find((candidate) => candidate.body.host_identifier === host.hostIdentifier);
      assert.ok(request, `host ${host.identity.hostname} enrolled`);
      const body = request.body;
      assert.equal(body.enroll_secret, SECRET);
      assert.equal(body.host_identifier, host.identity.uuid);
      assert.equal(body.platform_type, expectedPlatformType[host.identity.platform]);
      assert.deepEqual(Object.keys(body.host_details).sort(), ['os_version', 'osquery_info', 'platform_info', 'system_info']);
      assert.equal(body.host_details.system_info.hostname, host.identity.hostname);
      assert.equal(body.host_details.system_info.hardware_serial, host.identity.hardwareSerial);
      assert.equal(body.host_details.os_version.platform, host.identity.platform);
      for (const table of Object.values<Record<string, unknown>>(body.host_details)) {
        for (const value of Object.values(table)) assert.equal(typeof value, 'string');
      }
    }
  });

  it('fetches the config with its node key', () => {
    const fetched = new Set(server.requestsTo(CONFIG).map((request) => request.hostIdentifier));
    for (const host of simulator.hosts) assert.ok(fetched.has(host.hostIdentifier), `${host.identity.hostname} fetched its config`);
  });

  it('answers distributed queries with rows, statuses and messages, skipping those whose discovery finds nothing', async () => {
    const host = simulator.hosts.find((candidate) => candidate.identity.platform === 'ubuntu')!;
    server.queueDistributed(host.hostIdentifier, {
      queries: {
        fleet_distributed_query_1: "SELECT hostname, uuid FROM system_info WHERE hostname LIKE 'ubuntu-%'",
        fleet_distributed_query_2: 'SELECT * FROM apps',
        fleet_distributed_query_3: 'SELECT COUNT(*) AS n FROM deb_packages',
        fleet_label_query_4: 'SELECT 1',
        fleet_label_query_5: 'SELECT 1',
      },
      discovery: {
        fleet_label_query_4: "SELECT 1 FROM os_version WHERE platform = 'darwin'",
        fleet_label_query_5: "SELECT 1 FROM os_version WHERE platform = 'ubuntu'",
      },
    });
    const request = await waitFor(() => server.requestsTo(WRITE).find((candidate) => candidate.hostIdentifier === host.hostIdentifier), 'the distributed write');
    const body = request.body;
    assert.equal(body.node_key, host.nodeKey);
    const answered = ['fleet_distributed_query_1', 'fleet_distributed_query_2', 'fleet_distributed_query_3', 'fleet_label_query_5'];
    assert.deepEqual(Object.keys(body.queries).sort(), answered);
    assert.deepEqual(body.queries.fleet_distributed_query_1, [{ hostname: host.identity.hostname, uuid: host.identity.uuid }]);
    assert.deepEqual(body.queries.fleet_distributed_query_2, []);
    assert.ok(Number(body.queries.fleet_distributed_query_3[0].n) > 0);
    assert.deepEqual(body.statuses, { fleet_distributed_query_1: 0, fleet_distributed_query_2: 1, fleet_distributed_query_3: 0, fleet_label_query_5: 0 });
    assert.equal(body.messages.fleet_distributed_query_2, 'no such table: apps');
    assert.equal(body.messages.fleet_distributed_query_1, '');
    for (const name of answered) assert.deepEqual(Object.keys(body.stats[name]).sort(), ['memory', 'system_time', 'user_time', 'wall_time_ms']);

    const event = writes.find((candidate) => candidate.host.hostIdentifier === host.hostIdentifier);
    assert.ok(event, 'the write hook saw the write');
    assert.deepEqual([...event.queryNames].sort(), answered);
    assert.equal(event.rowCounts.fleet_distributed_query_1, 1);
    assert.ok(event.sentAtEpochMs <= request.receivedAt + 1, 'the hook ran before the server received the write');
  });

  it('sends result logs for scheduled pack queries, named and shaped as osqueryd does', async () => {
    const host = simulator.hosts.find((candidate) => candidate.identity.platform === 'darwin')!;
    const lines = () => server.requestsTo(LOG).filter((request) => request.hostIdentifier === host.hostIdentifier && request.body.log_type === 'result').flatMap((request) => request.body.data);
    await waitFor(() => lines().some((line) => line.name === 'pack_monitoring_users_list') && lines().some((line) => line.name === 'pack_monitoring_mount_count'), 'result logs');
    const added = lines().filter((line) => line.name === 'pack_monitoring_users_list');
    assert.deepEqual(added.map((line) => line.columns.username).sort(), ['_windowserver', 'alice', 'daemon', 'root']);
    const first = added[0];
    assert.deepEqual(Object.keys(first), ['name', 'hostIdentifier', 'calendarTime', 'unixTime', 'epoch', 'counter', 'numerics', 'decorations', 'columns', 'action']);
    assert.equal(first.action, 'added');
    assert.equal(first.hostIdentifier, host.hostIdentifier);
    assert.equal(first.counter, 0);
    assert.equal(typeof first.unixTime, 'number');
    assert.match(first.calendarTime, /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} UTC$/);
    assert.deepEqual(first.decorations, { decorated_hostname: host.identity.hostname });
    assert.equal(typeof first.columns.uid, 'string');
    const snapshot = lines().find((line) => line.name === 'pack_monitoring_mount_count');
    assert.equal(snapshot.action, 'snapshot');
    assert.deepEqual(snapshot.snapshot, [{ n: '3' }]);
    // Unchanged results are not logged again; a windows-only pack does not run on macOS.
    assert.equal(lines().filter((line) => line.name === 'pack_monitoring_users_list').length, 4);
    assert.ok(!lines().some((line) => line.name === 'pack_windows_only_programs'));
  });

  it('sends status logs with string values', async () => {
    const statuses = await waitFor(() => {
      const found = server.requestsTo(LOG).filter((request) => request.body.log_type === 'status').flatMap((request) => request.body.data);
      return found.length > 0 ? found : null;
    }, 'status logs');
    const line = statuses.find((candidate: { message: string }) => candidate.message.startsWith('osqueryd started'));
    assert.ok(line, 'the start-up line was sent');
    for (const key of ['hostIdentifier', 'calendarTime', 'unixTime', 'severity', 'filename', 'line', 'message', 'version']) assert.equal(typeof line[key], 'string', key);
  });

  it('re-enrolls with the same host identifier when told node_invalid, then carries on', async () => {
    const host = simulator.hosts.find((candidate) => candidate.identity.platform === 'windows')!;
    const oldKey = host.nodeKey;
    const enrollsBefore = server.requestsTo(ENROLL).filter((request) => request.body.host_identifier === host.hostIdentifier).length;
    server.invalidateHost(host.hostIdentifier);
    await waitFor(() => host.nodeKey !== null && host.nodeKey !== oldKey, 'a new node key');
    const enrolls = server.requestsTo(ENROLL).filter((request) => request.body.host_identifier === host.hostIdentifier);
    assert.equal(enrolls.length, enrollsBefore + 1);
    assert.equal(enrolls[enrolls.length - 1].body.host_details.system_info.uuid, host.identity.uuid);
    assert.ok(simulator.stats().reenrollments >= 1);

    server.queueDistributed(host.hostIdentifier, { queries: { after_reenroll: 'SELECT name FROM programs LIMIT 1' } });
    const write = await waitFor(() => server.requestsTo(WRITE).find((request) => request.body.queries.after_reenroll), 'a write after re-enrolling');
    assert.equal(write.body.node_key, host.nodeKey);
    assert.equal(write.body.statuses.after_reenroll, 0);
  });
});

describe('host simulator failure settings', function () {
  this.timeout(60_000);

  const answerWith = async (settings: { queryErrorProbability?: number; emptyResultProbability?: number }) => {
    const server = await FakeOsqueryServer.start({ enrollSecret: SECRET });
    const simulator = await startHostSimulator({ url: server.url, enrollSecret: SECRET, hosts: 2, distributedIntervalSec: 0.5, ...settings });
    try {
      await simulator.ready;
      server.queueDistributed(simulator.hosts[0].hostIdentifier, { queries: { q: 'SELECT 1 AS one' } });
      return (await waitFor(() => server.requestsTo(WRITE)[0], 'the write')).body;
    } finally {
      await simulator.stop();
      await server.close();
    }
  };

  it('reports a simulated error at the configured probability', async () => {
    const body = await answerWith({ queryErrorProbability: 1 });
    assert.equal(body.statuses.q, 1);
    assert.notEqual(body.messages.q, '');
    assert.deepEqual(body.queries.q, []);
  });

  it('reports an empty result at the configured probability', async () => {
    const body = await answerWith({ emptyResultProbability: 1 });
    assert.equal(body.statuses.q, 0);
    assert.equal(body.messages.q, '');
    assert.deepEqual(body.queries.q, []);
    assert.deepEqual((await answerWith({})).queries.q, [{ one: '1' }]);
  });

  it('keeps retrying a rejected enroll secret, and `ready` rejects when stopped first', async () => {
    const server = await FakeOsqueryServer.start({ enrollSecret: SECRET });
    const simulator = await startHostSimulator({ url: server.url, enrollSecret: 'wrong', hosts: 1 });
    try {
      await waitFor(() => simulator.stats().enrollFailures >= 1, 'a failed enroll');
      assert.equal(simulator.stats().enrolled, 0);
    } finally {
      await simulator.stop();
      await server.close();
    }
    await assert.rejects(simulator.ready, /stopped before every host enrolled/);
  });
});

describe('host simulator CLI', function () {
  this.timeout(60_000);

  it('exits with code 2 and says why on bad arguments', async () => {
    const child = spawn(process.execPath, [MAIN, '--hosts', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--url/);
    assert.match(stderr, /--hosts must be a number/);
  });

  it('runs hosts, prints stats lines, and stops cleanly on SIGTERM', async () => {
    const server = await FakeOsqueryServer.start({ enrollSecret: SECRET });
    const child = spawn(process.execPath, [MAIN, '--url', server.url, '--hosts', '5', '--distributed-interval', '1', '--stats-interval', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOST_SIMULATOR_ENROLL_SECRET: SECRET },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => /enrolled 5\/5 \| check-ins\/s/.test(stdout), 'a stats line with every host enrolled');
      assert.equal(new Set(server.requestsTo(ENROLL).map((request) => request.body.host_identifier)).size, 5);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(stdout, /stopped; enrollments 5/);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  });
});
