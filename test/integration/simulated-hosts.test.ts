/**
 * The host simulator against a real Logbook (black box): hosts of every platform enroll, show up
 * online in the right built-in and custom labels with policy results, get exactly the packs
 * targeted at them, and survive kill -9 of Logbook with their node keys.
 */
import assert from 'node:assert/strict';
import { startHostSimulator, type HostSimulator } from '../../services/host-simulator';
import { eventually } from '../support/eventually';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'simulated-secret';
const EXPECTED_PLATFORM_LABEL: Record<string, string> = { darwin: 'macOS', ubuntu: 'Ubuntu Linux', centos: 'CentOS Linux', windows: 'MS Windows' };

interface ListedHost {
  id: number;
  hostname: string;
  platform: string;
  status: string;
  labels: Array<{ name: string }>;
}

describe('simulated hosts against Logbook (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let simulator: HostSimulator;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    await admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'Has root', query: "SELECT 1 FROM users WHERE username = 'root'", label_membership_type: 'dynamic' }] });
    await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'Has an Administrator', query: "SELECT 1 FROM users WHERE username = 'Administrator'" }] });
    await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'users', query: 'SELECT username FROM users' }] });
    await admin.post('/api/v1/fleet/spec/packs', { specs: [{ name: 'mac-only', targets: { labels: ['macOS'] }, queries: [{ query: 'users', name: 'users', interval: 3600 }] }] });
    simulator = await startHostSimulator({
      url: logbook.url,
      enrollSecret: SECRET,
      hosts: 8,
      seed: 'simulated-hosts-test',
      platformMix: { darwin: 1, ubuntu: 1, centos: 1, windows: 1 },
      distributedIntervalSec: 1,
      accelerateIntervalSec: 1,
      configRefreshSec: 1,
      loggerTlsPeriodSec: 1,
    });
    await simulator.ready;
  });
  after(async () => {
    await simulator?.stop();
    await logbook.stop();
  });

  it('lists every simulated host online in its platform label, All Hosts and custom labels', async () => {
    const hosts = await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts')).body.hosts as ListedHost[];
      assert.equal(hosts.length, 8);
      for (const host of hosts) {
        const labels = host.labels.map((label) => label.name);
        assert.ok(labels.includes('All Hosts'), `${host.hostname} in All Hosts`);
        assert.ok(labels.includes(EXPECTED_PLATFORM_LABEL[host.platform]), `${host.hostname} (${host.platform}) in ${EXPECTED_PLATFORM_LABEL[host.platform]}: ${labels}`);
        assert.equal(labels.includes('Has root'), host.platform !== 'windows', `${host.hostname} (${host.platform}) Has root`);
        assert.equal(host.status, 'online');
      }
      return hosts;
    }, 30_000);
    assert.deepEqual(new Set(hosts.map((host) => host.platform)), new Set(['darwin', 'ubuntu', 'centos', 'windows']));
  });

  it('records policy results from the hosts', async () => {
    await eventually(async () => {
      const policy = (await admin.get('/api/v1/fleet/policies')).body.policies.find((entry: { name: string }) => entry.name === 'Has an Administrator');
      assert.equal(policy.passing_host_count, 2, 'the two windows hosts');
      assert.equal(policy.failing_host_count, 6);
    }, 30_000);
  });

  it('hands each host exactly the packs targeted at it', async () => {
    for (const host of simulator.hosts) {
      const config = await new FleetClient(logbook.url).post('/api/v1/osquery/config', { node_key: host.nodeKey });
      assert.equal(config.status, 200);
      assert.deepEqual(Object.keys(config.body.packs), host.identity.platform === 'darwin' ? ['mac-only'] : [], host.identity.hostname);
    }
  });

  it('keeps the hosts and their node keys across kill -9 of Logbook', async () => {
    const before = ((await admin.get('/api/v1/fleet/hosts')).body.hosts as ListedHost[]).map((host) => [host.id, host.hostname]);
    const reenrollments = simulator.stats().reenrollments;
    const checkIns = simulator.stats().checkIns;
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env: { PORT: new URL(logbook.url).port } });
    admin = new FleetClient(logbook.url, admin.token);
    const after = ((await admin.get('/api/v1/fleet/hosts')).body.hosts as ListedHost[]).map((host) => [host.id, host.hostname]);
    assert.deepEqual(after, before);
    await eventually(async () => assert.ok(simulator.stats().checkIns >= checkIns + 16, 'the hosts check in again'), 30_000);
    assert.equal(simulator.stats().reenrollments, reenrollments, 'no host had to enroll again');
  });
});
