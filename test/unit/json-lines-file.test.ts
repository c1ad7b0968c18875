import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLinesFile } from '../../services/agent-api/host-logs/json-lines-file';
import { newDataDir } from '../support/logbook-process';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : null);

describe('JSON-lines log file', () => {
  it('writes appends made at the same time in call order, each resolved once on disk', async () => {
    const file = join(newDataDir(), 'nested', 'results.log');
    const log = await JsonLinesFile.open(file, { maxBytes: 1 << 20, maxBackups: 1 });
    try {
      await Promise.all(Array.from({ length: 50 }, (_, n) => log.append([JSON.stringify({ n }), JSON.stringify({ n, second: true })])));
      const lines = read(file)!.trimEnd().split('\n').map((line) => JSON.parse(line) as { n: number; second?: boolean });
      assert.equal(lines.length, 100);
      assert.deepEqual(lines.map((line) => line.n), Array.from({ length: 50 }, (_, n) => [n, n]).flat());
    } finally {
      await log.close();
    }
  });

  it('rotates before a write that would pass the limit; with no backups the full file is dropped', async () => {
    const dir = newDataDir();
    const file = join(dir, 'status.log');
    const log = await JsonLinesFile.open(file, { maxBytes: 30, maxBackups: 0 });
    try {
      await log.append(['"0123456789"']); // 13 bytes
      await log.append(['"abcdefghij"']); // 26
      await log.append(['"klmnopqrst"']); // would be 39: rotated first
      assert.equal(read(file), '"klmnopqrst"\n');
      assert.equal(read(`${file}.1`), null);
      const big = `"${'x'.repeat(100)}"`;
      await log.append([big]);
      assert.equal(read(file), `${big}\n`, 'a write larger than the limit gets a file of its own');
    } finally {
      await log.close();
    }
  });

  it('keeps appending where it left off after a reopen', async () => {
    const file = join(newDataDir(), 'r.log');
    const first = await JsonLinesFile.open(file, { maxBytes: 1 << 20, maxBackups: 2 });
    await first.append(['1']);
    await first.close();
    await assert.rejects(first.append(['lost']), /closed/);
    const second = await JsonLinesFile.open(file, { maxBytes: 1 << 20, maxBackups: 2 });
    await second.append(['2']);
    await second.close();
    assert.equal(read(file), '1\n2\n');
  });
});
