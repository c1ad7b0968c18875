import { strict as assert } from 'node:assert';
import { MongoClient } from 'mongodb';
import { connectMongoReadStore } from '../../shared/adapters/read-store/mongo-read-store';
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

describe('mongodb read store indexes', function () {
  this.timeout(300_000);

  it('creates each declared index on the server once, and again after a drop', async () => {
    const url = await mongoUrl();
    const databaseName = `logbook_read_store_indexes_${process.pid}_${Date.now().toString(36)}`;
    const store = await connectMongoReadStore(url, databaseName);
    const client = await MongoClient.connect(url);
    const indexNames = async () => (await client.db(databaseName).collection('hosts').listIndexes().toArray()).map((index) => index.name).sort();
    try {
      const hosts = store.collection('hosts', { indexes: ['team', 'seen_time'] });
      store.collection('hosts', { indexes: ['team'] });
      await hosts.put('a', { team: 'red', seen_time: 1 });
      assert.deepEqual(await indexNames(), ['_id_', 'seen_time_1', 'team_1']);
      await hosts.drop();
      await hosts.put('b', { team: 'blue', seen_time: 2 });
      assert.deepEqual(await indexNames(), ['_id_', 'seen_time_1', 'team_1']);
    } finally {
      await store.close();
      await client.db(databaseName).dropDatabase();
      await client.close();
    }
  });
});
