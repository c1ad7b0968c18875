/**
 * Scheduled query results and status logs to their destinations (black box: Logbook started as a
 * user starts it, a raw osquery client posting log batches to /api/v1/osquery/log):
 * - by default, JSON-lines files under DATA_DIR, each acknowledged line in the file as the host
 *   sent it by the time the 200 arrives; rotated by size with a bounded number of backups, the
 *   newest lines kept in order;
 * - the stdout plugin: one JSON line per log line on standard output;
 * - a full disk under the log file: a 503 the host retries, no half line left behind, and once
 *   space is back every line is in the file exactly once.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk';

const SECRET = 'host-log-secret';

async function enrolledHost(logbook: LogbookProcess, name: string): Promise<FakeOsqueryHost> {
  const admin = await setUpAdmin(logbook.url);
  assert.equal((await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } })).status, 200);
  const host = new FakeOsqueryHost(logbook.url, name, 'ubuntu');
  assert.equal((await host.enroll(SECRET)).status, 200);
  return host;
}

function resultLine(host: FakeOsqueryHost, n: number, padding = '') {
  return { name: 'pack/logs/counter', hostIdentifier: host.uuid, unixTime: 1_700_000_000 + n, columns: { n: String(n), padding }, action: 'added' };
}

function linesOf(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file} ends with a whole line`);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

describe('osquery log destinations (black box)', function () {
  this.timeout(120_000);

  describe('filesystem (the default without Kafka), rotated by size', () => {
    let logbook: LogbookProcess;
    before(async () => {
      logbook = await startLogbook({ env: { OSQUERY_LOG_FILE_MAX_BYTES: '4kb', OSQUERY_LOG_FILE_MAX_BACKUPS: '2' } });
    });
    after(async () => logbook?.stop());

    it('has each line on disk when the 200 comes, and keeps at most 2 rotated files, newest lines in order', async () => {
      const host = await enrolledHost(logbook, 'files-1');
      const file = join(logbook.dataDir, 'osquery_result.log');
      const first = resultLine(host, 0);
      assert.equal((await host.post('log', { log_type: 'result', data: [first] })).status, 200);
      assert.deepEqual(linesOf(file), [first], 'durable before the answer');

      const sent = [first];
      for (let n = 1; n <= 60; n++) {
        const batch = [resultLine(host, n, 'p'.repeat(100))];
        const res = await host.post('log', { log_type: 'result', data: batch });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        sent.push(...batch);
      }
      const files = readdirSync(logbook.dataDir).filter((name) => name.startsWith('osquery_result.log')).sort();
      assert.deepEqual(files, ['osquery_result.log', 'osquery_result.log.1', 'osquery_result.log.2']);
      for (const name of files) assert.ok(statSync(join(logbook.dataDir, name)).size <= 4096, `${name} within the size limit`);
      const kept = [...linesOf(`${file}.2`), ...linesOf(`${file}.1`), ...linesOf(file)];
      assert.ok(kept.length > 0 && kept.length < sent.length, `older lines rotated out (${kept.length} of ${sent.length} kept)`);
      assert.deepEqual(kept, sent.slice(sent.length - kept.length), 'the newest lines, each once, in order');

      const status = { severity: '0', filename: 'x.cpp', line: '1', message: 'status line', version: '5.12.1' };
      assert.equal((await host.post('log', { log_type: 'status', data: [status] })).status, 200);
      assert.deepEqual(linesOf(join(logbook.dataDir, 'osquery_status.log')), [status]);
    });
  });

  describe('stdout', () => {
    let logbook: LogbookProcess;
    before(async () => {
      logbook = await startLogbook({ env: { OSQUERY_STATUS_LOG_PLUGIN: 'stdout', OSQUERY_RESULT_LOG_PLUGIN: 'stdout' } });
    });
    after(async () => logbook?.stop());

    it('writes one JSON line per log line, with the host it came from', async () => {
      const host = await enrolledHost(logbook, 'stdout-1');
      const lines = [resultLine(host, 1), resultLine(host, 2)];
      assert.equal((await host.post('log', { log_type: 'result', data: lines })).status, 200);
      assert.equal((await host.post('log', { log_type: 'status', data: [{ severity: '1', message: 'warned' }] })).status, 200);
      const logged = await eventually(async () => {
        const found = logbook.output.flatMap((line) => {
          try {
            const entry = JSON.parse(line) as { osquery_log?: string };
            return entry.osquery_log ? [entry] : [];
          } catch {
            return [];
          }
        });
        assert.equal(found.length, 3);
        return found;
      });
      assert.deepEqual(logged.map((entry) => (entry as { osquery_log: string }).osquery_log), ['result', 'result', 'status']);
      assert.deepEqual((logged[0] as { hostname: string; line: unknown }).line, lines[0]);
      assert.equal((logged[0] as { hostname: string }).hostname, 'stdout-1');
      assert.ok(!existsSync(join(logbook.dataDir, 'osquery_result.log')), 'no file with the stdout plugin');
    });
  });

  describe('a full disk under the log file (tmpfs)', () => {
    let disk: SmallDisk | null = null;
    let logbook: LogbookProcess | null = null;
    before(async function () {
      disk = mountSmallDisk(2);
      if (!disk) this.skip(); // mounting needs root, as in CI
      logbook = await startLogbook({ env: { OSQUERY_RESULT_LOG_FILE: join(disk.dir, 'logs', 'results.log') } });
    });
    after(async () => {
      await logbook?.stop();
      disk?.unmount();
    });

    it('answers 503 while the disk is full, keeps no half line, and takes the same batch once space is back', async () => {
      const host = await enrolledHost(logbook!, 'disk-1');
      const file = join(disk!.dir, 'logs', 'results.log');
      const before = [resultLine(host, 0)];
      assert.equal((await host.post('log', { log_type: 'result', data: before })).status, 200);
      disk!.fill();
      const batch = Array.from({ length: 20 }, (_, n) => resultLine(host, n + 1, 'q'.repeat(1000)));
      const refused = await host.post('log', { log_type: 'result', data: batch });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.match(refused.body.error, /^storage: no space left on device \(ENOSPC\)/);
      assert.equal(refused.body.node_invalid, false);
      assert.deepEqual(linesOf(file), before, 'nothing of the refused batch is in the file');
      const health = await fetch(`${logbook!.url}/healthz`);
      assert.equal(health.status, 503);
      assert.match(((await health.json()) as { reason: string }).reason, /osquery log file/);

      disk!.free();
      // The host sends the same batch again, as osquery does after a failed log request.
      await eventually(async () => assert.equal((await host.post('log', { log_type: 'result', data: batch })).status, 200), 20_000, 250);
      assert.deepEqual(linesOf(file), [...before, ...batch], 'every line once, in order');
      await eventually(async () => assert.equal((await fetch(`${logbook!.url}/healthz`)).status, 200), 20_000, 250);
    });
  });
});
