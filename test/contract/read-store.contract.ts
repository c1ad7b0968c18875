/**
 * Contract of the read store port (shared/ports/read-store.ts), run against every adapter.
 * Each test works in collections of its own, so tests never see each other's documents.
 */
import { strict as assert } from 'node:assert';
import type { ReadCollection, ReadStore } from '../../shared/ports/read-store';
import { describeIndexedReads, type IndexCapabilities } from './read-store-index.contract';

type Host = { name: string; team: string; os: string; online: boolean; cpus: number };

export function describeReadStoreContract(
  adapterName: string,
  open: () => Promise<{ store: ReadStore; cleanup: () => Promise<void> }>,
  capabilities: IndexCapabilities,
): void {
  describe(`read store contract: ${adapterName}`, function () {
    let store: ReadStore;
    let cleanup: (() => Promise<void>) | undefined;
    let collectionCount = 0;
    const runTag = Math.random().toString(36).slice(2, 8);

    function freshName(label: string): string {
      collectionCount += 1;
      return `${label}_${runTag}_${collectionCount}`;
    }
    function fresh<T extends object = Record<string, unknown>>(label: string): ReadCollection<T> {
      return store.collection<T>(freshName(label));
    }

    before(async function () {
      this.timeout(300_000); // a first run may have to build and start infrastructure
      ({ store, cleanup } = await open());
    });

    after(async function () {
      this.timeout(60_000);
      await cleanup?.();
    });

    const hosts: Array<[string, Host]> = [
      ['h3', { name: 'h3', team: 'red', os: 'linux', online: true, cpus: 8 }],
      ['h1', { name: 'h1', team: 'red', os: 'darwin', online: false, cpus: 4 }],
      ['h5', { name: 'h5', team: 'blue', os: 'linux', online: true, cpus: 4 }],
      ['h2', { name: 'h2', team: 'red', os: 'linux', online: false, cpus: 16 }],
      ['h4', { name: 'h4', team: 'blue', os: 'windows', online: true, cpus: 8 }],
      ['h6', { name: 'h6', team: 'red', os: 'linux', online: true, cpus: 4 }],
    ];
    async function hostCollection(name = freshName('hosts')): Promise<ReadCollection<Host>> {
      const collection = store.collection<Host>(name);
      await collection.bulk(hosts.map(([id, doc]) => ({ op: 'put', id, doc })));
      return collection;
    }
    const names = (docs: Array<{ name: string }>) => docs.map((doc) => doc.name);

    it('answers ping', async () => {
      await store.ping();
    });

    it('gets what was put, and null for a missing id', async () => {
      const collection = fresh<Host>('basic');
      await collection.put('h1', hosts[1][1]);
      assert.deepEqual(await collection.get('h1'), hosts[1][1]);
      assert.equal(await collection.get('nope'), null);
    });

    it('replaces the whole document on a second put', async () => {
      const collection = fresh('replace');
      await collection.put('a', { first: 1, shared: 'old' });
      await collection.put('a', { shared: 'new', second: [2] });
      assert.deepEqual(await collection.get('a'), { shared: 'new', second: [2] });
      assert.equal(await collection.count(), 1);
    });

    it('deletes a document, and deleting a missing id is fine', async () => {
      const collection = fresh('delete');
      await collection.put('a', { v: 1 });
      await collection.put('b', { v: 2 });
      await collection.delete('a');
      await collection.delete('never-there');
      assert.equal(await collection.get('a'), null);
      assert.deepEqual(await collection.get('b'), { v: 2 });
    });

    it('hands out copies: changing a returned document changes nothing stored', async () => {
      const collection = fresh<{ tags: string[] }>('copies');
      await collection.put('a', { tags: ['x'] });
      const copy = (await collection.get('a'))!;
      copy.tags.push('y');
      assert.deepEqual(await collection.get('a'), { tags: ['x'] });
    });

    it('raises fields, never lowering one, in bulk', async () => {
      const collection = fresh<{ seen: string; n: number; other?: string }>('raise');
      await collection.put('host', { seen: '2026-01-01T00:00:10.000Z', n: 5, other: 'kept' });
      await collection.bulk([
        { op: 'raise', id: 'host', doc: { seen: '2026-01-01T00:00:05.000Z', n: 9 } },
        { op: 'raise', id: 'new', doc: { seen: '2026-01-01T00:00:01.000Z', n: 1 } },
      ]);
      assert.deepEqual(await collection.get('host'), { seen: '2026-01-01T00:00:10.000Z', n: 9, other: 'kept' });
      assert.deepEqual(await collection.get('new'), { seen: '2026-01-01T00:00:01.000Z', n: 1 });
      await collection.bulk([
        { op: 'raise', id: 'host', doc: { seen: '2026-01-01T00:00:20.000Z', n: 2 } },
        { op: 'raise', id: 'host', doc: { seen: '2026-01-01T00:00:15.000Z', n: 3 } },
      ]);
      assert.deepEqual(await collection.get('host'), { seen: '2026-01-01T00:00:20.000Z', n: 9, other: 'kept' });
      // Concurrent raises (two agent API instances flushing at once): the greatest stays.
      await Promise.all([30, 25, 40, 35].map((second) => collection.bulk([{ op: 'raise', id: 'host', doc: { seen: `2026-01-01T00:00:${second}.000Z`, n: 0 } }])));
      assert.equal((await collection.get('host'))!.seen, '2026-01-01T00:00:40.000Z');
    });

    it('applies bulk operations in order', async () => {
      const collection = fresh('bulk');
      await collection.put('existing', { v: 0 });
      await collection.bulk([
        { op: 'put', id: 'a', doc: { v: 1 } },
        { op: 'put', id: 'b', doc: { v: 1 } },
        { op: 'delete', id: 'a' },
        { op: 'put', id: 'b', doc: { v: 2 } },
        { op: 'delete', id: 'existing' },
        { op: 'delete', id: 'c' },
        { op: 'put', id: 'c', doc: { v: 3 } },
      ]);
      assert.equal(await collection.get('a'), null);
      assert.equal(await collection.get('existing'), null);
      assert.deepEqual(await collection.get('b'), { v: 2 });
      assert.deepEqual(await collection.get('c'), { v: 3 });
      assert.equal(await collection.count(), 2);
      await collection.bulk([]);
      assert.equal(await collection.count(), 2);
    });

    it('finds everything in id order when given no options, without ids in the documents', async () => {
      const collection = await hostCollection();
      const found = await collection.find();
      assert.deepEqual(found, [...hosts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, doc]) => doc));
    });

    it('finds by equality on several fields', async () => {
      const collection = await hostCollection();
      assert.deepEqual(names(await collection.find({ where: { team: 'red', os: 'linux' } })), ['h2', 'h3', 'h6']);
      assert.deepEqual(names(await collection.find({ where: { team: 'red', online: true, cpus: 4 } })), ['h6']);
      assert.deepEqual(await collection.find({ where: { team: 'green' } }), []);
    });

    it('matches null against missing fields and scalars against array members', async () => {
      const collection = fresh<{ name: string; owner?: string | null; labels?: string[] }>('semantics');
      await collection.bulk([
        { op: 'put', id: 'a', doc: { name: 'a', owner: null, labels: ['prod', 'eu'] } },
        { op: 'put', id: 'b', doc: { name: 'b', labels: ['dev'] } },
        { op: 'put', id: 'c', doc: { name: 'c', owner: 'ann', labels: [] } },
      ]);
      assert.deepEqual(names(await collection.find({ where: { owner: null } })), ['a', 'b']);
      assert.deepEqual(names(await collection.find({ where: { labels: 'prod' } })), ['a']);
      assert.equal(await collection.count({ owner: null }), 2);
    });

    it('sorts ascending and descending, ties by id ascending', async () => {
      const collection = await hostCollection();
      const ascending = await collection.find({ sort: { field: 'cpus', direction: 'asc' } });
      assert.deepEqual(names(ascending), ['h1', 'h5', 'h6', 'h3', 'h4', 'h2']);
      const descending = await collection.find({ sort: { field: 'cpus', direction: 'desc' } });
      assert.deepEqual(names(descending), ['h2', 'h3', 'h4', 'h1', 'h5', 'h6']);
      const byOs = await collection.find({ where: { online: true }, sort: { field: 'os', direction: 'desc' } });
      assert.deepEqual(names(byOs), ['h4', 'h3', 'h5', 'h6']);
    });

    it('pages with skip and limit, sorted or not', async () => {
      const collection = await hostCollection();
      const sort = { field: 'cpus', direction: 'desc' } as const;
      const pages = [
        await collection.find({ sort, limit: 4 }),
        await collection.find({ sort, skip: 4, limit: 4 }),
      ];
      assert.deepEqual(names(pages[0]), ['h2', 'h3', 'h4', 'h1']);
      assert.deepEqual(names(pages[1]), ['h5', 'h6']);
      assert.deepEqual(names(await collection.find({ skip: 1, limit: 2 })), ['h2', 'h3']);
      assert.deepEqual(names(await collection.find({ where: { team: 'red' }, skip: 2 })), ['h3', 'h6']);
      assert.deepEqual(await collection.find({ skip: 6 }), []);
      assert.deepEqual(await collection.find({ limit: 0 }), []);
    });

    it('finds the documents whose id starts with a prefix, with where, sort, skip and limit', async () => {
      const collection = fresh<{ name: string; seq: number; ok: boolean }>('prefixed');
      const ids = ['1', '1:', '1:b', '1:a', '1:a:x', '10:a', '1;', '0:z', '2:a', 'é:1', 'é;', 'e:1'];
      await collection.bulk(ids.map((id, seq) => ({ op: 'put', id, doc: { name: id, seq, ok: seq % 2 === 0 } })));
      assert.deepEqual(names(await collection.find({ idPrefix: '1:' })), ['1:', '1:a', '1:a:x', '1:b']);
      assert.deepEqual(names(await collection.find({ idPrefix: '1:', where: { ok: true } })), ['1:a:x', '1:b']);
      assert.deepEqual(names(await collection.find({ idPrefix: '1:', sort: { field: 'seq', direction: 'desc' } })), ['1:a:x', '1:a', '1:b', '1:']);
      assert.deepEqual(names(await collection.find({ idPrefix: '1:', skip: 1, limit: 2 })), ['1:a', '1:a:x']);
      assert.deepEqual(names(await collection.find({ idPrefix: 'é:' })), ['é:1']);
      assert.deepEqual(names(await collection.find({ idPrefix: '3:' })), []);
      assert.equal((await collection.find({ idPrefix: '' })).length, ids.length, 'an empty prefix matches every id');
    });

    it('counts all documents or those matching', async () => {
      const collection = await hostCollection();
      assert.equal(await collection.count(), 6);
      assert.equal(await collection.count({}), 6);
      assert.equal(await collection.count({ team: 'blue' }), 2);
      assert.equal(await collection.count({ os: 'linux', online: true }), 3);
      assert.equal(await fresh('empty').count(), 0);
    });

    it('drops a collection, which is then empty and usable again', async () => {
      const name = freshName('hosts');
      const collection = await hostCollection(name);
      await collection.drop();
      assert.equal(await collection.get('h1'), null);
      assert.equal(await collection.count(), 0);
      assert.deepEqual(await collection.find(), []);
      assert.ok(!(await store.listCollections()).includes(name));
      await collection.put('again', { name: 'again', team: 'red', os: 'linux', online: true, cpus: 1 });
      assert.deepEqual(names(await store.collection<Host>(name).find()), ['again']);
      await fresh('never-written').drop();
    });

    it('lists the collections that hold documents', async () => {
      const [filledName, emptiedName, untouchedName] = ['listed', 'emptied', 'untouched'].map(freshName);
      await store.collection(filledName).put('a', { v: 1 });
      await store.collection(emptiedName).put('a', { v: 1 });
      await store.collection(emptiedName).delete('a');
      await store.collection(untouchedName).get('a');
      const listed = await store.listCollections();
      assert.ok(listed.includes(filledName), `${filledName} missing from ${listed.join(', ')}`);
      assert.ok(!listed.includes(emptiedName));
      assert.ok(!listed.includes(untouchedName));
    });

    it('keeps collections independent', async () => {
      const left = fresh('left');
      const right = fresh('right');
      await left.put('same-id', { side: 'left' });
      await right.put('same-id', { side: 'right' });
      assert.deepEqual(await left.get('same-id'), { side: 'left' });
      await left.drop();
      assert.equal(await left.get('same-id'), null);
      assert.deepEqual(await right.get('same-id'), { side: 'right' });
      assert.equal(await right.count(), 1);
    });

    it('round-trips nested objects, arrays and JSON values', async () => {
      const collection = fresh('nested');
      const doc = {
        name: 'Grüße, 世界 🌍',
        'key with spaces': true,
        numbers: [0, -1, 1.5, 2 ** 40, -(2 ** 53 - 1), 1e-9],
        nothing: null,
        empty: { list: [], object: {} },
        packs: [{ name: 'p', queries: [{ id: 1, platform: ['darwin', 'linux'] }] }, [1, [2, [3]]]],
        deep: { a: { b: { c: { d: 'e' } } } },
      };
      await collection.put('n', doc);
      assert.deepEqual(await collection.get('n'), doc);
      assert.deepEqual(await collection.find({ where: { name: 'Grüße, 世界 🌍' } }), [doc]);
    });

    // MongoDB orders strings by code point, the stand-in by UTF-16 unit: these ids order alike
    // under both (the embedded adapter's test covers astral characters against U+E000-U+FFFF).
    it('accepts unicode ids and orders them', async () => {
      const collection = fresh<{ name: string; rank: number }>('unicode');
      const ids = ['😀', 'é', 'b', 'a/b c', '日本語', 'B'];
      await collection.bulk(ids.map((id) => ({ op: 'put', id, doc: { name: id, rank: 1 } })));
      for (const id of ids) assert.deepEqual(await collection.get(id), { name: id, rank: 1 });
      const inOrder = ['B', 'a/b c', 'b', 'é', '日本語', '😀'];
      assert.deepEqual(names(await collection.find({ sort: { field: 'rank', direction: 'asc' } })), inOrder);
      assert.deepEqual(names(await collection.find({ sort: { field: 'name', direction: 'desc' } })), [...inOrder].reverse());
      await collection.delete('😀');
      assert.equal(await collection.get('😀'), null);
    });

    it('stores a bulk of 5,000 documents', async () => {
      const collection = fresh<{ n: number; bucket: number }>('large');
      const operations = Array.from({ length: 5_000 }, (_, n) => ({
        op: 'put' as const,
        id: `host-${String(n).padStart(5, '0')}`,
        doc: { n, bucket: n % 7 },
      }));
      await collection.bulk(operations);
      assert.equal(await collection.count(), 5_000);
      assert.equal(await collection.count({ bucket: 3 }), 714);
      assert.deepEqual(await collection.get('host-04321'), { n: 4321, bucket: 4321 % 7 });
      const last = await collection.find({ sort: { field: 'n', direction: 'desc' }, limit: 2 });
      assert.deepEqual(last, [{ n: 4999, bucket: 1 }, { n: 4998, bucket: 0 }]);
      await collection.bulk(operations.map(({ id }) => ({ op: 'delete' as const, id })));
      assert.equal(await collection.count(), 0);
    });

    describeIndexedReads(() => store, freshName, capabilities);
  });
}
