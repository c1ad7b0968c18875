import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { describeReadStoreContract } from './read-store.contract';

function temporaryDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-lmdb-read-store-'));
}

describeReadStoreContract('lmdb', async () => {
  const directory = temporaryDirectory();
  const store = await openLmdbReadStore(directory);
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}, { countsDocsExamined: true });

describe('lmdb read store on disk', function () {
  let directory: string;
  beforeEach(() => {
    directory = temporaryDirectory();
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('keeps documents and drops across close and reopen', async () => {
    const first = await openLmdbReadStore(directory);
    await first.collection('kept').put('a', { v: 1 });
    await first.collection('dropped').put('a', { v: 2 });
    await first.collection('dropped').drop();
    await first.close();

    const second = await openLmdbReadStore(directory);
    try {
      assert.deepEqual(await second.collection('kept').get('a'), { v: 1 });
      assert.equal(await second.collection('dropped').get('a'), null);
      assert.deepEqual(await second.listCollections(), ['kept']);
    } finally {
      await second.close();
    }
  });

  it('keeps every resolved write when the process is killed right after', async function () {
    this.timeout(60_000);
    const adapter = path.resolve(__dirname, '../../shared/adapters/read-store/lmdb-read-store.js');
    const writer = `
      const { openLmdbReadStore } = require(${JSON.stringify(adapter)});
      (async () => {
        const store = await openLmdbReadStore(${JSON.stringify(directory)});
        const hosts = store.collection('hosts');
        await hosts.put('solo', { v: 'solo' });
        await hosts.bulk(Array.from({ length: 1000 }, (_, n) => ({ op: 'put', id: 'h' + n, doc: { n } })));
        await hosts.delete('h0');
        process.kill(process.pid, 'SIGKILL');
      })();
    `;
    const killed = await promisify(execFile)(process.execPath, ['-e', writer]).then(
      () => 'exited normally',
      (error: { signal?: string; stderr?: string }) => error.signal ?? `failed: ${error.stderr}`,
    );
    assert.equal(killed, 'SIGKILL');

    const store = await openLmdbReadStore(directory);
    try {
      const hosts = store.collection('hosts');
      assert.deepEqual(await hosts.get('solo'), { v: 'solo' });
      assert.equal(await hosts.count(), 1000);
      assert.equal(await hosts.get('h0'), null);
      assert.deepEqual(await hosts.get('h999'), { n: 999 });
    } finally {
      await store.close();
    }
  });

  it('orders ids and string values by code point, as MongoDB does', async () => {
    const store = await openLmdbReadStore(directory);
    try {
      // UTF-16 order would put the astral '😀' (0x1F600) before the fullwidth 'ｚ' (0xFF5A).
      const collection = store.collection<{ name: string; rank: number }>('unicode');
      const ids = ['😀', 'ｚ', 'z', '日本語'];
      await collection.bulk(ids.map((id) => ({ op: 'put', id, doc: { name: id, rank: 1 } })));
      const byCodePoint = ['z', '日本語', 'ｚ', '😀'];
      const names = (docs: Array<{ name: string }>) => docs.map((doc) => doc.name);
      assert.deepEqual(names(await collection.find()), byCodePoint);
      assert.deepEqual(names(await collection.find({ sort: { field: 'name', direction: 'asc' } })), byCodePoint);
      assert.deepEqual(
        names(await collection.find({ sort: { field: 'name', direction: 'desc' } })),
        [...byCodePoint].reverse(),
      );
    } finally {
      await store.close();
    }
  });

  it('keeps indexes across reopen, maintained and used by handles that declare none', async () => {
    const first = await openLmdbReadStore(directory);
    await first.collection('hosts', { indexes: ['team'] }).bulk([
      { op: 'put', id: 'a', doc: { team: 'red' } },
      { op: 'put', id: 'b', doc: { team: 'blue' } },
    ]);
    await first.close();

    const second = await openLmdbReadStore(directory);
    try {
      const hosts = second.collection<{ team: string }>('hosts');
      await hosts.put('a', { team: 'blue' });
      await hosts.put('c', { team: 'red' });
      assert.deepEqual(await hosts.find({ where: { team: 'blue' } }), [{ team: 'blue' }, { team: 'blue' }]);
      assert.deepEqual(await hosts.explain({ find: { where: { team: 'red' } } }), { index: 'team', docsExamined: 1, keysExamined: 1 });
      assert.deepEqual(await second.listCollections(), ['hosts']);
    } finally {
      await second.close();
    }
  });

  it('builds an index over a large existing collection in batches, logging its progress', async function () {
    this.timeout(60_000);
    const lines: string[] = [];
    const store = await openLmdbReadStore(directory, { log: (line) => lines.push(line) });
    try {
      const size = 25_000;
      await store.collection('big').bulk(Array.from({ length: size }, (_, n) => ({ op: 'put' as const, id: `h${n}`, doc: { n, even: n % 2 === 0 } })));
      const big = store.collection<{ n: number }>('big', { indexes: ['n', 'even'] });
      assert.equal(await big.count({ even: true }), size / 2);
      assert.deepEqual(await big.find({ range: { field: 'n', gte: 24_998 } }), [{ n: 24_998, even: true }, { n: 24_999, even: false }]);
      assert.deepEqual(await big.explain({ count: { even: true } }), { index: 'even', docsExamined: 0, keysExamined: size / 2 });
      assert.ok(lines.some((line) => /indexing big by n, even \(25000 documents\)/.test(line)), lines.join('\n'));
      assert.ok(lines.some((line) => /5000\/25000/.test(line)), lines.join('\n'));
    } finally {
      await store.close();
    }
  });

  it('pages deep into an index reading only the page, keys skipped in the engine', async function () {
    this.timeout(60_000);
    const store = await openLmdbReadStore(directory);
    try {
      const size = 20_000;
      const hosts = store.collection<{ n: number; group: number }>('paged', { indexes: ['n', 'group'] });
      await hosts.bulk(Array.from({ length: size }, (_, n) => ({ op: 'put' as const, id: `h${n}`, doc: { n, group: n % 7 } })));
      const deep = { sort: { field: 'n', direction: 'asc' as const }, skip: 15_000, limit: 10 };
      assert.deepEqual((await hosts.find(deep)).map((doc) => doc.n), Array.from({ length: 10 }, (_, k) => 15_000 + k));
      assert.deepEqual(await hosts.explain({ find: deep }), { index: 'n', docsExamined: 10, keysExamined: 10 });
      const descending = { sort: { field: 'group', direction: 'desc' as const }, skip: 12_000, limit: 20 };
      const plan = await hosts.explain({ find: descending });
      assert.equal(plan.docsExamined, 20);
      assert.ok(plan.keysExamined! <= 22, `examined ${plan.keysExamined} keys`);
      assert.deepEqual(await hosts.explain({ count: { group: 3 } }), { index: 'group', docsExamined: 0, keysExamined: 2857 });
      assert.equal((await hosts.explain({ find: { where: { group: 2 }, skip: 2000, limit: 5 }, idsOnly: true })).docsExamined, 0);
    } finally {
      await store.close();
    }
  });

  it('refuses collection names with $ (index databases use it)', async () => {
    const store = await openLmdbReadStore(directory);
    try {
      assert.throws(() => store.collection('a$index'));
    } finally {
      await store.close();
    }
  });

  it('refuses to be used after close', async () => {
    const store = await openLmdbReadStore(directory);
    await store.close();
    await assert.rejects(store.ping());
  });
});
