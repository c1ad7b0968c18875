import { MongoClient } from 'mongodb';
import { connectMongoReadStore } from '../../shared/adapters/read-store/mongo-read-store';
import { mongoUrl } from '../support/mongo-stand-in';
import { describeReadStoreContract } from './read-store.contract';

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
});
