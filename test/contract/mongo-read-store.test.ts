import { strict as assert } from 'node:assert';
import { MongoClient } from 'mongodb';
import { connectMongoReadStore } from '../../shared/adapters/read-store/mongo-read-store';
import { readStoreResults, rowsOf, type RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { ReadStore } from '../../shared/ports/read-store';
import { mongoUrl } from '../support/mongo-stand-in';
import { describeReadStoreContract } from './read-store.contract';

// A real MongoDB (MONGO_URL) explains queries; the stand-in has no explain (nor secondary indexes).
const capabilities = { countsDocsExamined: process.env.MONGO_URL !== undefined };

describeReadStoreContract('mongodb', async () => {
  const url = await mongoUrl();
  const databaseName = `logbook_read_store_test_${process.pid}_${Date.now().toString(36)}`;
  const store = await connectMongoReadStore(url, databaseName);
  return {
    store,
    cleanup: async () => {
      await store.close();
      const client = await MongoClient.connect(url);
      try {
        await client.db(databaseName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}, capabilities);

/** A read store on a database of its own for `use`, dropped afterwards; `client` reads the server directly. */
async function withFreshStore(prefix: string, use: (store: ReadStore, client: MongoClient, databaseName: string) => Promise<void>): Promise<void> {
  const url = await mongoUrl();
  const databaseName = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const store = await connectMongoReadStore(url, databaseName);
  const client = await MongoClient.connect(url);
  try {
    await use(store, client, databaseName);
  } finally {
    await store.close();
    await client.db(databaseName).dropDatabase();
    await client.close();
  }
}

describe('mongodb read store indexes', function () {
  this.timeout(300_000);

  it('creates each declared index on the server once, and again after a drop', async () => {
    await withFreshStore('logbook_read_store_indexes', async (store, client, databaseName) => {
      const indexNames = async () => (await client.db(databaseName).collection('hosts').listIndexes().toArray()).map((index) => index.name).sort();
      const hosts = store.collection('hosts', { indexes: ['team', 'seen_time'] });
      store.collection('hosts', { indexes: ['team'] });
      await hosts.put('a', { team: 'red', seen_time: 1 });
      assert.deepEqual(await indexNames(), ['_id_', 'seen_time_1', 'team_1']);
      await hosts.drop();
      await hosts.put('b', { team: 'blue', seen_time: 2 });
      assert.deepEqual(await indexNames(), ['_id_', 'seen_time_1', 'team_1']);
    });
  });
});

describe('campaign results on mongodb', function () {
  this.timeout(300_000);

  it('stores the rows as bytes (a BSON Binary) and reads them back as bytes, as well as results stored with rows_json text or rows', async () => {
    const rows = [{ name: 'osqueryd', path: 'C:\\Program Files "é"' }];
    const result: RecordedResult = {
      campaign_id: 7,
      seq: 1,
      host: { id: 3, hostname: 'h3', display_name: 'h3' },
      rows_utf8: Buffer.from(JSON.stringify(rows)),
      error: null,
      answered_at: '2026-12-01T00:00:00.000Z',
    };
    await withFreshStore('logbook_campaign_results', async (store) => {
      const results = readStoreResults(store);
      await results.record([result], new Map([[7, 1]]));
      const { rows_utf8: _, ...rest } = result;
      await store.collection('campaign_results').put('7:4', { ...rest, seq: 2, host: { ...rest.host, id: 4 }, rows_json: JSON.stringify(rows) });
      await store.collection('campaign_results').put('7:5', { ...rest, seq: 3, host: { ...rest.host, id: 5 }, rows });
      const stored = await results.getResult(7, 3);
      assert.ok(stored && Buffer.isBuffer(stored.rows_utf8));
      assert.deepEqual(stored, result);
      const all = await results.resultsAfter(7, 0);
      assert.deepEqual(all.map((each) => each.seq), [1, 2, 3]);
      for (const each of all) assert.deepEqual(rowsOf(each), rows);
    });
  });
});
