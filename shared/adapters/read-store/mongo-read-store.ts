/**
 * Read store on MongoDB (driver 6.x). Each collection is a MongoDB collection; a document is
 * stored as `{_id: id, ...doc}` and returned without `_id`.
 *
 * Uses neither sessions nor transactions, so that it also runs against the in-memory stand-in
 * (mongo-java-server) the tests use. bulk() is one ordered bulkWrite: applied in order, but not
 * atomic (a failure part-way leaves the earlier operations applied).
 * find() without `sort` returns documents in id order, like the embedded adapter; with `sort`,
 * ties are ordered by id.
 */
import {
  MongoClient,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Filter,
  type Sort,
} from 'mongodb';
import type {
  BulkOperation,
  FindOptions,
  ReadCollection,
  ReadStore,
  Scalar,
} from '../../ports/read-store';
import { idPrefixEnd } from './id-prefix';

type Doc = Record<string, unknown>;
type StoredDocument = { _id: string } & Doc;

const NAMESPACE_NOT_FOUND = 26;
const WITHOUT_ID = { _id: 0 } as const;

export async function connectMongoReadStore(url: string, databaseName: string): Promise<ReadStore> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    const store = new MongoReadStore(client, client.db(databaseName));
    await store.ping();
    return store;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

class MongoReadStore implements ReadStore {
  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  collection<T extends object = Doc>(name: string): ReadCollection<T> {
    return new MongoCollection<T>(this.db.collection<StoredDocument>(name));
  }

  async listCollections(): Promise<string[]> {
    const collections = await this.db.listCollections({}, { nameOnly: true }).toArray();
    const nonEmpty: string[] = [];
    for (const { name } of collections) {
      if (name.startsWith('system.')) continue;
      const anyDocument = await this.db
        .collection(name)
        .findOne({}, { projection: { _id: 1 } });
      if (anyDocument !== null) nonEmpty.push(name);
    }
    return nonEmpty;
  }

  async ping(): Promise<void> {
    await this.db.admin().command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

class MongoCollection<T extends object> implements ReadCollection<T> {
  constructor(private readonly collection: Collection<StoredDocument>) {}

  async get(id: string): Promise<T | null> {
    const found = await this.collection.findOne({ _id: id }, { projection: WITHOUT_ID });
    return found as T | null;
  }

  async put(id: string, doc: T): Promise<void> {
    await this.collection.replaceOne({ _id: id }, doc as Doc, { upsert: true });
  }

  async delete(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  async bulk(operations: BulkOperation<T>[]): Promise<void> {
    if (operations.length === 0) return;
    const writes = operations.map(
      (operation): AnyBulkWriteOperation<StoredDocument> =>
        operation.op === 'put'
          ? {
              replaceOne: {
                filter: { _id: operation.id },
                replacement: operation.doc as Doc,
                upsert: true,
              },
            }
          : { deleteOne: { filter: { _id: operation.id } } },
    );
    await this.collection.bulkWrite(writes, { ordered: true });
  }

  async find(options: FindOptions = {}): Promise<T[]> {
    const skip = checkCount('skip', options.skip ?? 0);
    const limit = options.limit === undefined ? undefined : checkCount('limit', options.limit);
    if (limit === 0) return []; // MongoDB reads a limit of 0 as "no limit"
    const sort: Sort = options.sort
      ? [
          [options.sort.field, options.sort.direction === 'desc' ? -1 : 1],
          ['_id', 1],
        ]
      : [['_id', 1]];
    let cursor = this.collection
      .find({ ...toFilter(options.where), ...idRangeFilter(options.idPrefix) }, { projection: WITHOUT_ID })
      .sort(sort)
      .skip(skip);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return (await cursor.toArray()) as T[];
  }

  count(where?: Record<string, Scalar>): Promise<number> {
    return this.collection.countDocuments(toFilter(where));
  }

  async drop(): Promise<void> {
    try {
      await this.collection.drop();
    } catch (error) {
      if (isNamespaceNotFound(error)) return; // dropping a missing collection is not an error
      throw error;
    }
  }
}

/** MongoDB 4.x-6.x answer code 26; the stand-in (like very old servers) only says "ns not found". */
function isNamespaceNotFound(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    (error.code === NAMESPACE_NOT_FOUND || error.message === 'ns not found')
  );
}

/** The ids that start with `prefix`, as a range on `_id` (which MongoDB's _id index serves). */
function idRangeFilter(prefix: string | undefined): Filter<StoredDocument> {
  return prefix === undefined || prefix === '' ? {} : { _id: { $gte: prefix, $lt: idPrefixEnd(prefix) } };
}

/** Field equality as MongoDB defines it (null also matches a missing field). */
function toFilter(where: Record<string, Scalar> | undefined): Filter<StoredDocument> {
  return { ...(where ?? {}) } as Filter<StoredDocument>;
}

function checkCount(option: 'skip' | 'limit', value: number): number {
  if (Number.isInteger(value) && value >= 0) return value;
  throw new RangeError(`find: ${option} must be a non-negative integer, got ${value}`);
}
