/** The host simulator's SQL engine: real SQL over simulated osquery tables, per host and platform. */
import assert from 'node:assert/strict';
import { hostIdentity, type HostIdentity, type PlatformMix } from '../../services/host-simulator/host-identity';
import type { Platform } from '../../services/host-simulator/platforms';
import { SqlEngine, type HostFacts, type QueryResult, type Row } from '../../services/host-simulator/sql-engine';

const EVERY_PLATFORM: PlatformMix = { darwin: 1, ubuntu: 1, centos: 1, windows: 1 };
const NOW = 1_700_000_000;

function factsOf(identity: HostIdentity): HostFacts {
  return {
    hostname: identity.hostname, computer_name: identity.computerName, local_hostname: identity.localHostname, uuid: identity.uuid,
    instance_id: identity.instanceId, hardware_serial: identity.hardwareSerial, board_serial: identity.boardSerial, hardware_model: identity.hardwareModel,
    physical_memory: identity.physicalMemory, ip: identity.ipAddress, mac: identity.macAddress, boot_time: NOW - identity.uptimeAtStart,
    osquery_start_time: NOW - 10, now: NOW, config_id: '',
  };
}

function rows(result: QueryResult): Row[] {
  if (!result.ok) assert.fail(`query failed: ${result.message}`);
  return result.rows;
}

describe('host simulator SQL engine', function () {
  this.timeout(30_000);
  let engine: SqlEngine;
  const hostsOf = (platform: Platform, count: number) => {
    const found: HostIdentity[] = [];
    for (let index = 0; found.length < count; index++) {
      const identity = hostIdentity('unit', index, EVERY_PLATFORM);
      if (identity.platform === platform) found.push(identity);
    }
    return found;
  };

  before(async () => {
    engine = await SqlEngine.create({ distributed_interval: 10, config_refresh: 60, logger_tls_period: 10, host_identifier: 'uuid', tls_hostname: 'example:8080' });
  });
  after(() => engine.close());

  it('answers a join with a WHERE and a COUNT', () => {
    const [host] = hostsOf('ubuntu', 1);
    const result = rows(engine.query('ubuntu', factsOf(host), "SELECT u.username, COUNT(*) AS processes FROM processes p JOIN users u ON p.uid = u.uid WHERE u.username IN ('root', 'www-data') GROUP BY u.username ORDER BY u.username"));
    assert.deepEqual(result, [{ username: 'root', processes: '10' }, { username: 'www-data', processes: '1' }]);
  });

  it('returns every value as a string, as osquery does', () => {
    const [host] = hostsOf('centos', 1);
    const [row] = rows(engine.query('centos', factsOf(host), 'SELECT pid, name, on_disk, 1.5 AS ratio, NULL AS missing FROM processes WHERE pid = 1'));
    assert.deepEqual(row, { pid: '1', name: 'kthreadd', on_disk: '-1', ratio: '1.5', missing: '' });
  });

  it("gives each host its own identity, whether the result comes from the cache or not", () => {
    const [first, second] = hostsOf('darwin', 2);
    for (const identity of [first, second]) {
      const [all] = rows(engine.query('darwin', factsOf(identity), 'SELECT * FROM system_info'));
      assert.equal(all.hostname, identity.hostname);
      assert.equal(all.uuid, identity.uuid);
      assert.equal(all.hardware_serial, identity.hardwareSerial);
      assert.equal(all.physical_memory, String(identity.physicalMemory));
      const [address] = rows(engine.query('darwin', factsOf(identity), "SELECT interface, address FROM interface_addresses WHERE interface = 'en0'"));
      assert.deepEqual(address, { interface: 'en0', address: identity.ipAddress });
    }
    // A filter on a host value must see the real value (no cached answer for another host).
    const filter = `SELECT uuid FROM system_info WHERE hostname = '${first.hostname}'`;
    assert.deepEqual(rows(engine.query('darwin', factsOf(first), filter)), [{ uuid: first.uuid }]);
    assert.deepEqual(rows(engine.query('darwin', factsOf(second), filter)), []);
  });

  it('reports an unknown table with the message osqueryd gives', () => {
    const [host] = hostsOf('ubuntu', 1);
    assert.deepEqual(engine.query('ubuntu', factsOf(host), 'SELECT * FROM no_such_thing'), { ok: false, message: 'no such table: no_such_thing' });
  });

  it('offers per-platform tables only on their platform', () => {
    const expectations: Array<[Platform, string, boolean]> = [
      ['windows', 'programs', true], ['darwin', 'programs', false],
      ['darwin', 'apps', true], ['ubuntu', 'apps', false],
      ['ubuntu', 'deb_packages', true], ['centos', 'deb_packages', false],
      ['centos', 'rpm_packages', true], ['windows', 'rpm_packages', false],
      ['ubuntu', 'mounts', true], ['windows', 'mounts', false], ['windows', 'logical_drives', true],
    ];
    for (const [platform, table, exists] of expectations) {
      const [host] = hostsOf(platform, 1);
      const result = engine.query(platform, factsOf(host), `SELECT COUNT(*) AS n FROM ${table}`);
      assert.equal(result.ok, exists, `${table} on ${platform}`);
      if (result.ok) assert.ok(Number(result.rows[0].n) > 0, `${table} on ${platform} has rows`);
      else assert.equal(result.message, `no such table: ${table}`);
    }
  });

  it('describes each platform the way osquery does', () => {
    const expected: Record<Platform, { platform: string; platform_like: string; mask: string }> = {
      darwin: { platform: 'darwin', platform_like: 'darwin', mask: '21' },
      ubuntu: { platform: 'ubuntu', platform_like: 'debian', mask: '9' },
      centos: { platform: 'centos', platform_like: 'rhel fedora', mask: '9' },
      windows: { platform: 'windows', platform_like: 'windows', mask: '2' },
    };
    for (const platform of Object.keys(expected) as Platform[]) {
      const [host] = hostsOf(platform, 1);
      const [row] = rows(engine.query(platform, factsOf(host), 'SELECT o.platform, o.platform_like, i.platform_mask FROM os_version o, osquery_info i'));
      assert.deepEqual(row, { platform: expected[platform].platform, platform_like: expected[platform].platform_like, platform_mask: expected[platform].mask });
    }
  });

  it('computes uptime and time from the host clock', () => {
    const [host] = hostsOf('windows', 1);
    const [uptime] = rows(engine.query('windows', factsOf(host), 'SELECT total_seconds, days FROM uptime'));
    assert.equal(uptime.total_seconds, String(host.uptimeAtStart));
    assert.equal(uptime.days, String(Math.floor(host.uptimeAtStart / 86400)));
    const [time] = rows(engine.query('windows', factsOf(host), 'SELECT unix_time, year, weekday FROM time'));
    assert.deepEqual(time, { unix_time: String(NOW), year: '2023', weekday: 'Tuesday' });
  });

  it('shows a host the schedule of its own config in osquery_schedule', () => {
    engine.registerSchedule('config-a', [{ name: 'pack_p_q', query: 'SELECT 1', interval: 60 }]);
    const [host] = hostsOf('ubuntu', 1);
    assert.deepEqual(rows(engine.query('ubuntu', { ...factsOf(host), config_id: 'config-a' }, 'SELECT name, interval FROM osquery_schedule')), [{ name: 'pack_p_q', interval: '60' }]);
    assert.deepEqual(rows(engine.query('ubuntu', { ...factsOf(host), config_id: 'config-b' }, 'SELECT name FROM osquery_schedule')), []);
  });

  it('refuses to change the simulated tables', () => {
    const [host] = hostsOf('ubuntu', 1);
    const result = engine.query('ubuntu', factsOf(host), 'DELETE FROM users');
    assert.equal(result.ok, false);
    assert.equal(rows(engine.query('ubuntu', factsOf(host), 'SELECT COUNT(*) AS n FROM users'))[0].n, '5');
  });
});
