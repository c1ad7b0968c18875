/**
 * Read store on MongoDB (driver 6.x). Each collection is a MongoDB collection; a document is
 * stored as `{_id: id, ...doc}` and returned without `_id`.
 *
 * Uses neither sessions nor transactions, so that it also runs against the in-memory stand-in
 * (mongo-java-server) the tests use. bulk() is one ordered bulkWrite: applied in order, but not
 * atomic (a failure part-way leaves the earlier operations applied).
 * find() without `sort` returns documents in id order, like the embedded adapter; with `sort`,
 * ties are ordered by id.
 *
 * Indexes: each declared field gets `createIndex({field: 1}, {name: 'field_1'})` (idempotent; a
 * collection's operations wait for it, and drop() re-creates them, since MongoDB drops a
 * collection's indexes with it). A find or count the port says an index serves is sent with that
 * index as `hint`, so MongoDB answers it from the index (and refuses the query, rather than
 * scanning, if the index were missing). explain() records the commands the driver sends (command
 * monitoring) and reports the index their `hint` names; a server that explains (a real MongoDB)
 * is then asked for `executionStats`, and its IXSCAN stage's index and totalDocsExamined take
 * precedence. The mongo-java-server stand-in cannot explain: there the counts are null.
 */
import { DeclaredIndexes } from './declared-indexes';
import {
  MongoClient,
  MongoServerError,
  type AnyBulkWriteOperation,
  type CommandStartedEvent,
  type Collection,
  type Db,
  type Filter,
  type Sort,
} from 'mongodb';
import type {
  BulkOperation,
  CollectionOptions,
  ExplainedQuery,
  FieldRange,
  FindOptions,
  QueryPlan,
  ReadCollection,
  ReadStore,
  Scalar,
} from '../../ports/read-store';
import { idPrefixEnd } from './id-prefix';
import { checkRange, chooseIndex } from './query-semantics';

type Doc = Record<string, unknown>;
type StoredDocument = { _id: string } & Doc;

const NAMESPACE_NOT_FOUND = 26;
const WITHOUT_ID = { _id: 0 } as const;

export async function connectMongoReadStore(url: string, databaseName: string): Promise<ReadStore> {
  // Command monitoring lets explain() see the commands as sent (SentCommands).
  const client = new MongoClient(url, { monitorCommands: true });
  try {
    await client.connect();
    const store = new MongoReadStore(client, client.db(databaseName), new SentCommands(client, databaseName));
    await store.ping();
    return store;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The commands the driver sends for a collection while an explain() records them: what a query
 * really asked the server (its `hint`), rather than what the adapter meant to ask.
 */
class SentCommands {
  private readonly recordings = new Set<{ collection: string; commands: Doc[] }>();

  constructor(client: MongoClient, private readonly databaseName: string) {
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.databaseName !== this.databaseName) return;
      const command = event.command as Doc;
      for (const recording of this.recordings) {
        if (command.find === recording.collection || command.aggregate === recording.collection) recording.commands.push(command);
      }
    });
  }

  async record(collection: string, action: () => Promise<unknown>): Promise<Doc[]> {
    const recording = { collection, commands: [] as Doc[] };
    this.recordings.add(recording);
    try {
      await action();
    } finally {
      this.recordings.delete(recording);
    }
    return recording.commands;
  }
}

class MongoReadStore implements ReadStore {
  private readonly declared: DeclaredIndexes;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly sent: SentCommands,
  ) {
    this.declared = new DeclaredIndexes(async (name, fields) => {
      const collection = db.collection(name);
      for (const field of fields) await collection.createIndex({ [field]: 1 }, { name: indexName(field) });
    });
  }

  collection<T extends object = Doc>(name: string, options: CollectionOptions = {}): ReadCollection<T> {
    this.declared.declare(name, options.indexes);
    return new MongoCollection<T>(name, this.db.collection<StoredDocument>(name), this.declared, this.sent);
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
    await this.declared.settle();
    await this.client.close();
  }
}

class MongoCollection<T extends object> implements ReadCollection<T> {
  constructor(
    private readonly name: string,
    private readonly collection: Collection<StoredDocument>,
    private readonly declared: DeclaredIndexes,
    private readonly sent: SentCommands,
  ) {}

  get(id: string): Promise<T | null> {
    return this.declared.after(this.name, async () => (await this.collection.findOne({ _id: id }, { projection: WITHOUT_ID })) as T | null);
  }

  async put(id: string, doc: T): Promise<void> {
    await this.declared.after(this.name, () => this.collection.replaceOne({ _id: id }, doc as Doc, { upsert: true }));
  }

  async delete(id: string): Promise<void> {
    await this.declared.after(this.name, () => this.collection.deleteOne({ _id: id }));
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
          : operation.op === 'raise'
            ? { updateOne: { filter: { _id: operation.id }, update: { $max: operation.doc as Doc }, upsert: true } }
            : { deleteOne: { filter: { _id: operation.id } } },
    );
    await this.declared.after(this.name, () => this.collection.bulkWrite(writes, { ordered: true }));
  }

  async find(options: FindOptions = {}): Promise<T[]> {
    const query = this.findQuery(options);
    if (query === null) return []; // MongoDB reads a limit of 0 as "no limit"
    return this.declared.after(this.name, async () => (await query.cursor().toArray()) as T[]);
  }

  /** The `_id`s only (a covered projection: with the hinted index, MongoDB reads no document for them). */
  async findIds(options: FindOptions = {}): Promise<string[]> {
    const query = this.findQuery(options, { _id: 1 });
    if (query === null) return [];
    return this.declared.after(this.name, async () => (await query.cursor().toArray()).map((doc) => doc._id as string));
  }

  count(where?: Record<string, Scalar>, range?: FieldRange): Promise<number> {
    if (range) checkRange({ range });
    const index = chooseIndex(this.declared.of(this.name), { where, range });
    const options = index ? { hint: indexName(index.field) } : {};
    const filter = { ...toFilter(where), ...rangeFilter(range, where) } as Filter<StoredDocument>;
    // The whole collection: the server's document count from its metadata, not a pass over it.
    if (Object.keys(filter).length === 0) return this.declared.after(this.name, () => this.collection.estimatedDocumentCount());
    return this.declared.after(this.name, () => this.collection.countDocuments(filter, options));
  }

  /**
   * Runs the find or count, recording the command sent: its `hint` names the index the server
   * had to answer from. A server that explains (a real MongoDB) then reports, for the same find
   * cursor, the IXSCAN stage's index and totalDocsExamined/totalKeysExamined, which take
   * precedence; the stand-in cannot explain, and docsExamined/keysExamined are then null. A count
   * is explained as a find of its filter with the same hint (countDocuments is an aggregation,
   * whose explain output differs across server versions).
   */
  async explain(query: ExplainedQuery): Promise<QueryPlan> {
    const run = () => ('find' in query ? (query.idsOnly ? this.findIds(query.find) : this.find(query.find)) : this.count(query.count, query.range));
    const commands = await this.sent.record(this.name, run);
    const hint = commands.map((command) => command.hint).find((hint): hint is string => typeof hint === 'string');
    const hinted = hint === undefined ? null : fieldOfIndex(hint);
    const planned = this.findQuery('find' in query ? query.find : { where: query.count, range: query.range });
    if (planned === null) return { index: null, docsExamined: 0, keysExamined: 0 };
    let explained: Doc;
    try {
      explained = (await planned.cursor().explain('executionStats')) as Doc;
    } catch (error) {
      if (!isUnsupportedCommand(error)) throw error;
      return { index: hinted, docsExamined: null, keysExamined: null };
    }
    const stats = explained.executionStats as { totalDocsExamined?: number; totalKeysExamined?: number } | undefined;
    const winning = (explained.queryPlanner as { winningPlan?: Doc } | undefined)?.winningPlan;
    const scanned = winning ? indexScanned(winning) : null;
    return {
      index: scanned === null ? null : fieldOfIndex(scanned),
      docsExamined: stats?.totalDocsExamined ?? null,
      keysExamined: stats?.totalKeysExamined ?? null,
    };
  }

  /**
   * The cursor find() runs (built by `cursor()`, fresh each call) and the field of the index it is
   * hinted to, or null for a limit of 0.
   */
  private findQuery(options: FindOptions, projection: Doc = WITHOUT_ID) {
    const skip = checkCount('skip', options.skip ?? 0);
    const limit = options.limit === undefined ? undefined : checkCount('limit', options.limit);
    if (limit === 0) return null;
    const range = checkRange(options);
    const sort: Sort = options.sort
      ? [
          [options.sort.field, options.sort.direction === 'desc' ? -1 : 1],
          ['_id', 1],
        ]
      : [['_id', 1]];
    const index = chooseIndex(this.declared.of(this.name), options);
    const filter = { ...toFilter(options.where), ...rangeFilter(range, options.where), ...idRangeFilter(options.idPrefix) } as Filter<StoredDocument>;
    const cursor = () => {
      let cursor = this.collection.find(filter, { projection }).sort(sort).skip(skip);
      if (index) cursor = cursor.hint(indexName(index.field));
      if (limit !== undefined) cursor = cursor.limit(limit);
      return cursor;
    };
    return { cursor, index: index?.field ?? null };
  }

  drop(): Promise<void> {
    return this.declared.after(this.name, () => {
      const dropping = this.collection.drop().then(
        () => undefined,
        (error: unknown) => {
          if (!isNamespaceNotFound(error)) throw error; // dropping a missing collection is not an error
        },
      );
      this.declared.rebuild(this.name, dropping); // the collection stays indexed
      return dropping;
    });
  }
}

const indexName = (field: string): string => `${field}_1`;
const fieldOfIndex = (name: string): string => name.replace(/_1$/, '');

/** The index of the winning plan's IXSCAN (or COUNT_SCAN) stage, if it has one. */
function indexScanned(stage: Doc): string | null {
  if ((stage.stage === 'IXSCAN' || stage.stage === 'COUNT_SCAN') && typeof stage.indexName === 'string') return stage.indexName;
  const children = [stage.inputStage, ...((stage.inputStages as unknown[]) ?? [])].filter(Boolean) as Doc[];
  for (const child of children) {
    const found = indexScanned(child);
    if (found !== null) return found;
  }
  return null;
}

/** The stand-in answers "no such command" (code 59) to explain. */
function isUnsupportedCommand(error: unknown): boolean {
  return error instanceof MongoServerError && (error.code === 59 || /no such (cmd|command)/i.test(error.message));
}

/** The range as `$gte`/`$lt` on its field (MongoDB brackets by type as the port says). */
function rangeFilter(range: FindOptions['range'], where: FindOptions['where']): Filter<StoredDocument> {
  if (range === undefined) return {};
  const bounds: Doc = {};
  if (where && range.field in where) bounds.$eq = where[range.field];
  if (range.gte !== undefined) bounds.$gte = range.gte;
  if (range.lt !== undefined) bounds.$lt = range.lt;
  return { [range.field]: bounds } as Filter<StoredDocument>;
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
