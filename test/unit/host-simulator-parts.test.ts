/** The host simulator's smaller parts: identity, result diffs, log formats, config parsing, CLI flags. */
import assert from 'node:assert/strict';
import { parseCliArguments } from '../../services/host-simulator/cli-arguments';
import { hostIdentity } from '../../services/host-simulator/host-identity';
import { parseOsqueryConfig } from '../../services/host-simulator/osquery-config';
import { calendarTime, statusLine } from '../../services/host-simulator/result-log';
import { diffRows } from '../../services/host-simulator/scheduled-results';

const MIX = { darwin: 1, ubuntu: 1, centos: 1, windows: 1 };

describe('host simulator parts', () => {
  describe('host identity', () => {
    it('is the same for the same seed and index, and differs otherwise', () => {
      assert.deepEqual(hostIdentity('s1', 7, MIX), hostIdentity('s1', 7, MIX));
      assert.notEqual(hostIdentity('s1', 7, MIX).uuid, hostIdentity('s2', 7, MIX).uuid);
      const uuids = new Set(Array.from({ length: 2000 }, (_, index) => hostIdentity('s1', index, MIX).uuid));
      const hostnames = new Set(Array.from({ length: 2000 }, (_, index) => hostIdentity('s1', index, MIX).hostname));
      assert.equal(uuids.size, 2000);
      assert.equal(hostnames.size, 2000);
    });

    it('follows the platform mix', () => {
      const onlyLinux = Array.from({ length: 200 }, (_, index) => hostIdentity('s', index, { darwin: 0, ubuntu: 1, centos: 1, windows: 0 }).platform);
      assert.ok(onlyLinux.every((platform) => platform === 'ubuntu' || platform === 'centos'));
      assert.ok(onlyLinux.includes('ubuntu') && onlyLinux.includes('centos'));
    });
  });

  it('diffs results as multisets, like osquery', () => {
    const a = { name: 'a' };
    const b = { name: 'b' };
    const c = { name: 'c' };
    assert.deepEqual(diffRows([a, b, b], [{ name: 'b' }, c]), { added: [c], removed: [a, b] });
    assert.deepEqual(diffRows([a], [{ name: 'a' }]), { added: [], removed: [] });
  });

  it("formats calendarTime as osquery's asctime plus UTC", () => {
    assert.equal(calendarTime(1_700_000_000), 'Tue Nov 14 22:13:20 2023 UTC');
    assert.equal(calendarTime(1_699_088_701), 'Sat Nov  4 09:05:01 2023 UTC');
  });

  it('writes status lines with string values', () => {
    const line = statusLine('host-1', 1_700_000_000, 2, 'scheduler.cpp', 83, 'boom', { site: 'a' });
    assert.deepEqual(line, { hostIdentifier: 'host-1', calendarTime: 'Tue Nov 14 22:13:20 2023 UTC', unixTime: '1700000000', severity: '2', filename: 'scheduler.cpp', line: '83', message: 'boom', version: '5.12.1', decorations: { site: 'a' } });
  });

  it('names pack queries as osqueryd does, honouring pack_delimiter', () => {
    const packs = { ops: { platform: 'linux', queries: { procs: { query: 'SELECT 1', interval: 60, snapshot: true, removed: false } } } };
    assert.deepEqual(parseOsqueryConfig(JSON.stringify({ packs })).schedule.map((query) => [query.name, query.snapshot, query.removed]), [['pack_ops_procs', true, false]]);
    assert.deepEqual(parseOsqueryConfig(JSON.stringify({ options: { pack_delimiter: '/' }, packs })).schedule.map((query) => query.name), ['pack/ops/procs']);
  });

  describe('CLI arguments', () => {
    it('reads flags and HOST_SIMULATOR_* variables, flags first', () => {
      const result = parseCliArguments(['--url', 'http://127.0.0.1:9', '--hosts', '25', '--platforms', 'ubuntu=2,windows'], { HOST_SIMULATOR_ENROLL_SECRET: 'from-env', HOST_SIMULATOR_HOSTS: '99' });
      assert.equal(result.kind, 'run');
      if (result.kind !== 'run') return;
      assert.equal(result.settings.options.enrollSecret, 'from-env');
      assert.equal(result.settings.options.hosts, 25);
      assert.deepEqual(result.settings.options.platformMix, { darwin: 0, ubuntu: 2, centos: 0, windows: 1 });
    });

    it('reports every bad argument together', () => {
      const result = parseCliArguments(['--hosts', 'many', '--platforms', 'beos', '--query-error-probability', '2'], {});
      assert.equal(result.kind, 'error');
      if (result.kind !== 'error') return;
      const text = result.problems.join('\n');
      for (const expected of ['--url', '--enroll-secret', '--hosts must be a number', 'unknown platform "beos"', 'query error probability']) assert.ok(text.includes(expected), `mentions ${expected}: ${text}`);
    });
  });
});
