/**
 * The read store contract's indexed reads (shared/ports/read-store.ts, CollectionOptions): the
 * same answers as without indexes, and the proof that an indexed query is served by its index:
 * explain() names the index and, where the store reports it, a bound on the documents examined
 * that a scan of the collection would exceed many times over.
 */
import { strict as assert } from 'node:assert';
import type { FindOptions, QueryPlan, ReadCollection, ReadStore, Scalar } from '../../shared/ports/read-store';

export interface IndexCapabilities {
  /** explain() reports documents examined (the Mongo stand-in cannot explain: it reports null). */
  countsDocsExamined: boolean;
}

type Host = { name: string; team: string; seen: number; os: string; tags?: string[]; owner?: string | null };

const TEAMS = 20;
const HOSTS = 2_000;
const INDEXES = ['team', 'seen', 'tags', 'owner'];

function host(n: number): [string, Host] {
  const name = `h${String(n).padStart(4, '0')}`;
  const doc: Host = { name, team: `t${n % TEAMS}`, seen: Math.floor(n / 2), os: n % 3 === 0 ? 'linux' : 'darwin' };
  if (n % 5 === 0) doc.tags = [`k${n % 4}`, 'all'];
  if (n % 7 !== 0) doc.owner = n % 7 === 1 ? null : `o${n % 3}`;
  return [name, doc];
}

export function describeIndexedReads(
  store: () => ReadStore,
  freshName: (label: string) => string,
  capabilities: IndexCapabilities,
): void {
  describe('indexed reads', function () {
    this.timeout(60_000);
    const names = (docs: Array<{ name: string }>) => docs.map((doc) => doc.name);
    let indexed: ReadCollection<Host>;
    let plain: ReadCollection<Host>;

    before(async () => {
      indexed = store().collection<Host>(freshName('indexed'), { indexes: INDEXES });
      plain = store().collection<Host>(freshName('plain'));
      const operations = Array.from({ length: HOSTS }, (_, n) => {
        const [id, doc] = host(n);
        return { op: 'put' as const, id, doc };
      });
      await Promise.all([indexed.bulk(operations), plain.bulk(operations)]);
    });

    /** The index that served it, and (where reported) at most `bound` documents examined. */
    async function assertServed(collection: ReadCollection<Host>, query: Parameters<ReadCollection['explain']>[0], index: string, bound: number): Promise<QueryPlan> {
      const plan = await collection.explain(query);
      assert.equal(plan.index, index, `served by ${plan.index} instead of ${index}: ${JSON.stringify(query)}`);
      if (capabilities.countsDocsExamined) {
        assert.notEqual(plan.docsExamined, null, 'the store reports documents examined');
        assert.ok(plan.docsExamined! <= bound, `examined ${plan.docsExamined} documents (at most ${bound}): ${JSON.stringify(query)}`);
      }
      return plan;
    }

    const queries: FindOptions[] = [
      { where: { team: 't3' } },
      { where: { team: 't3' }, skip: 10, limit: 5 },
      { where: { team: 't3', os: 'linux' }, limit: 7 },
      { where: { team: 't4' }, sort: { field: 'seen', direction: 'desc' }, skip: 3, limit: 10 },
      { where: { tags: 'all' }, sort: { field: 'name', direction: 'asc' }, limit: 30 },
      { where: { owner: null }, skip: 5, limit: 20 },
      { sort: { field: 'seen', direction: 'desc' }, skip: 20, limit: 10 },
      { sort: { field: 'seen', direction: 'asc' }, limit: 15 },
      { sort: { field: 'team', direction: 'desc' }, limit: 25 },
      { range: { field: 'seen', gte: 700, lt: 710 } },
      { range: { field: 'seen', gte: 990 }, sort: { field: 'seen', direction: 'desc' }, limit: 6 },
      { range: { field: 'seen', lt: 5 }, sort: { field: 'seen', direction: 'asc' }, skip: 2 },
      { range: { field: 'seen', gte: 100, lt: 120 }, where: { os: 'linux' }, sort: { field: 'name', direction: 'desc' } },
      { range: { field: 'team', gte: 't1', lt: 't2' }, limit: 40 },
      { range: { field: 'seen', gte: 'a' } },
      { idPrefix: 'h01', where: { team: 't1' } },
      { where: { team: 'nobody' } },
      { where: { team: 't5' }, skip: 60, limit: 30 },
      { sort: { field: 'team', direction: 'desc' }, skip: 137, limit: 250 },
      { sort: { field: 'team', direction: 'asc' }, skip: 1990, limit: 50 },
      { range: { field: 'seen', gte: 100, lt: 900 }, sort: { field: 'seen', direction: 'desc' }, skip: 333, limit: 41 },
      { range: { field: 'seen', gte: 100, lt: 900 }, sort: { field: 'seen', direction: 'asc' }, skip: 1599, limit: 10 },
      { sort: { field: 'owner', direction: 'desc' }, skip: 1000, limit: 500 },
      { sort: { field: 'seen', direction: 'desc' }, skip: 5000, limit: 5 },
      { where: { os: 'linux' }, sort: { field: 'seen', direction: 'desc' }, useIndex: 'seen', limit: 10 },
      { where: { team: 't3' }, sort: { field: 'seen', direction: 'asc' }, useIndex: 'seen', skip: 5, limit: 10 },
      { where: { team: 't3' }, range: { field: 'seen', gte: 300 }, useIndex: 'seen', limit: 10 },
      { where: { team: 't3' }, useIndex: 'nowhere', limit: 10 },
    ];

    it('answers as the same collection without indexes does', async () => {
      for (const query of queries) {
        assert.deepEqual(names(await indexed.find(query)), names(await plain.find(query)), JSON.stringify(query));
      }
      const wheres: Array<Record<string, Scalar>> = [{ team: 't3' }, { team: 't3', os: 'linux' }, { owner: null }, { tags: 'k0' }, { team: 'nobody' }];
      for (const where of wheres) {
        assert.equal(await indexed.count(where), await plain.count(where), JSON.stringify(where));
      }
    });

    it('lists the ids find would return, in its order', async () => {
      for (const query of queries) {
        assert.deepEqual(await indexed.findIds(query), names(await plain.find(query)), JSON.stringify(query));
        assert.deepEqual(await plain.findIds(query), names(await plain.find(query)), JSON.stringify(query));
      }
    });

    it('counts within a range, with or without an index, alike', async () => {
      const counts: Array<[Record<string, Scalar>, FindOptions['range']]> = [
        [{}, { field: 'seen', gte: 100, lt: 200 }],
        [{}, { field: 'seen', gte: 990 }],
        [{ os: 'linux' }, { field: 'seen', lt: 300 }],
        [{ team: 't3' }, { field: 'seen', gte: 500 }],
        [{}, { field: 'team', gte: 't1', lt: 't2' }],
      ];
      for (const [where, range] of counts) {
        assert.equal(await indexed.count(where, range), await plain.count(where, range), JSON.stringify({ where, range }));
      }
      assert.equal(await indexed.count({}, { field: 'seen', gte: 100, lt: 200 }), 200);
      await assertServed(indexed, { count: {}, range: { field: 'seen', gte: 100, lt: 200 } }, 'seen', 0);
      await assertServed(indexed, { find: { sort: { field: 'seen', direction: 'desc' }, skip: 1500, limit: 10 }, idsOnly: true }, 'seen', 0);
    });

    it('serves equality on an indexed field from the index', async () => {
      await assertServed(indexed, { find: { where: { team: 't3' }, limit: 10 } }, 'team', 10);
      await assertServed(indexed, { find: { where: { team: 't3' }, skip: 40, limit: 10 } }, 'team', 50);
      await assertServed(indexed, { find: { where: { team: 't3', os: 'linux' } } }, 'team', HOSTS / TEAMS);
      await assertServed(indexed, { find: { where: { tags: 'k1' } } }, 'tags', HOSTS / 20);
    });

    it('serves a sort on an indexed field from the index, reading only the page and what it skips', async () => {
      // seen is n / 2 rounded down: descending by seen, the ties (n = 2k, 2k + 1) by id ascending
      const page = await indexed.find({ sort: { field: 'seen', direction: 'desc' }, skip: 20, limit: 4 });
      assert.deepEqual(names(page), ['h1978', 'h1979', 'h1976', 'h1977']);
      await assertServed(indexed, { find: { sort: { field: 'seen', direction: 'desc' }, skip: 20, limit: 10 } }, 'seen', 30);
      await assertServed(indexed, { find: { sort: { field: 'seen', direction: 'asc' }, limit: 5 } }, 'seen', 5);
    });

    it('serves a range on an indexed field from the index', async () => {
      const found = await indexed.find({ range: { field: 'seen', gte: 700, lt: 705 } });
      assert.deepEqual(names(found), Array.from({ length: 10 }, (_, k) => `h${1400 + k}`));
      await assertServed(indexed, { find: { range: { field: 'seen', gte: 700, lt: 705 } } }, 'seen', 10);
      await assertServed(indexed, { find: { range: { field: 'seen', gte: 990 }, sort: { field: 'seen', direction: 'desc' }, limit: 4 } }, 'seen', 4);
    });

    it('serves a query from the index useIndex names, reading about what the page needs', async () => {
      const query = { where: { team: 't1' }, sort: { field: 'seen', direction: 'desc' as const }, useIndex: 'seen', limit: 5 };
      assert.deepEqual(names(await indexed.find(query)), names(await plain.find(query)));
      await assertServed(indexed, { find: query }, 'seen', 5 * TEAMS + TEAMS);
    });

    it('counts by an indexed field from the index', async () => {
      assert.equal(await indexed.count({ team: 't7' }), HOSTS / TEAMS);
      await assertServed(indexed, { count: { team: 't7' } }, 'team', HOSTS / TEAMS);
    });

    it('scans, and says so, when no index applies', async () => {
      const plan = await indexed.explain({ find: { where: { os: 'linux' }, limit: 5 } });
      assert.equal(plan.index, null);
      const unindexed = await plain.explain({ find: { where: { team: 't3' } } });
      assert.equal(unindexed.index, null);
      if (capabilities.countsDocsExamined) assert.equal(unindexed.docsExamined, HOSTS);
    });

    it('keeps the index right through put, delete and bulk', async () => {
      const collection = store().collection<Host>(freshName('maintained'), { indexes: ['team', 'tags'] });
      await collection.put('a', { name: 'a', team: 'red', seen: 1, os: 'linux', tags: ['x', 'y'] });
      await collection.put('b', { name: 'b', team: 'red', seen: 2, os: 'linux' });
      await collection.put('a', { name: 'a', team: 'blue', seen: 3, os: 'linux', tags: ['y', 'z'] });
      await collection.bulk([
        { op: 'put', id: 'c', doc: { name: 'c', team: 'blue', seen: 4, os: 'linux' } },
        { op: 'put', id: 'b', doc: { name: 'b', team: 'green', seen: 5, os: 'linux', tags: ['x'] } },
        { op: 'delete', id: 'c' },
        { op: 'put', id: 'd', doc: { name: 'd', team: 'red', seen: 6, os: 'linux' } },
      ]);
      await collection.delete('d');
      assert.deepEqual(names(await collection.find({ where: { team: 'red' } })), []);
      assert.deepEqual(names(await collection.find({ where: { team: 'blue' } })), ['a']);
      assert.deepEqual(names(await collection.find({ where: { tags: 'x' } })), ['b']);
      assert.deepEqual(names(await collection.find({ where: { tags: 'y' } })), ['a']);
      assert.equal(await collection.count({ team: 'green' }), 1);
      await assertServed(collection, { find: { where: { tags: 'x' } } }, 'tags', 1);
    });

    it('builds an index declared on a collection that already holds documents, and keeps it after drop', async () => {
      const name = freshName('late');
      await store().collection<Host>(name).bulk(Array.from({ length: 300 }, (_, n) => ({ op: 'put' as const, id: host(n)[0], doc: host(n)[1] })));
      const collection = store().collection<Host>(name, { indexes: ['team'] });
      assert.deepEqual(names(await collection.find({ where: { team: 't2' }, limit: 3 })), ['h0002', 'h0022', 'h0042']);
      await assertServed(collection, { find: { where: { team: 't2' }, limit: 3 } }, 'team', 3);
      await collection.drop();
      await store().collection<Host>(name).put('z', { name: 'z', team: 't2', seen: 0, os: 'linux' });
      assert.deepEqual(names(await collection.find({ where: { team: 't2' } })), ['z']);
      await assertServed(collection, { find: { where: { team: 't2' } } }, 'team', 1);
    });
  });
}
