/**
 * Embedded read store on LMDB (lmdb-js): one LMDB environment (a directory), one named
 * sub-database per collection, documents keyed by id and encoded with MessagePack.
 *
 * - Durability: by default (what openReadStore uses) lmdb-js's overlapping sync is on: a write's
 *   promise resolves once its transaction is committed, which survives the process being killed,
 *   and the flush to disk follows without holding up the next transaction; a machine crash rolls
 *   the store back to the last flushed commit, consistently. `waitForDiskFlush: true` turns
 *   overlapping sync off, and a write then resolves only once flushed (see LmdbReadStoreOptions).
 * - bulk() runs as one LMDB transaction (atomic), after dropping operations that a later
 *   operation on the same id makes irrelevant. Documents passed to put/bulk must not be
 *   mutated before the returned promise resolves.
 * - drop() deletes the sub-database (LMDB frees its pages without visiting each document).
 * - Secondary indexes (lmdb-index.ts): `collection(name, { indexes })` declares the fields a
 *   collection is filtered and sorted by; each has entries in a companion sub-database, written in
 *   the same transaction as the document, and find()/count() are served from one of them as the
 *   port describes (lmdb-query.ts). A declared index is built over the documents already stored
 *   before the handle's next operation runs (logged when large). Without a usable index, find()
 *   and count() scan the collection (or the idPrefix range) and filter in memory.
 * - Matching and ordering follow MongoDB's rules (query-semantics.ts), so both adapters answer alike.
 * - Why LMDB and not SQLite (better-sqlite3): the store is key-ordered documents plus index keys,
 *   which is exactly what LMDB's ordered B+tree keys are; reads are zero-copy memory-mapped and
 *   never block on writers (MVCC), so the API's reads do not queue behind projector writes in one
 *   process or several; lmdb-js ships prebuilt binaries and is already the embedded event store's
 *   engine (one storage engine, one write guard, one disk-full story). SQLite would bring a query
 *   planner and SQL we would not use (documents stay opaque MessagePack/JSON), a single writer
 *   lock, synchronous calls on the event loop for every read, and a second native dependency.
 * - A write the disk refuses (full disk) rejects with StorageUnavailableError and leaves nothing of
 *   its transaction (lmdb-write-guard.ts); reads go on, and never write: reading a collection that
 *   does not exist answers as an empty one instead of creating it.
 */
import { DeclaredIndexes } from './declared-indexes';
import { open, type Database, type RootDatabase } from 'lmdb';
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
import { buildIndexes, indexDatabaseName, indexStates, isIndexDatabaseName, updateEntries } from './lmdb-index';
import { countDocuments, findDocuments, findIds } from './lmdb-query';
import type { Doc } from './query-semantics';
import { LmdbWriteGuard } from '../storage/lmdb-write-guard';
import { LMDB_MAP_SIZE } from '../storage/lmdb-map-size';
import { StorageHealth } from '../storage/storage-health';

/** LMDB needs the number of named databases up front (an indexed collection takes two). */
const MAX_COLLECTIONS = 1000;

export interface LmdbReadStoreOptions {
  /**
   * false (the default): a write resolves once committed (it survives the process being killed:
   * the pages are the OS's) and reaches the disk right after, with lmdb-js's overlapping sync,
   * which keeps the file consistent at the last flushed commit if the machine itself crashes.
   * That suits read models: their checkpoint lives in the same store and rolls back with them,
   * and the projector replays from it. true: a write resolves only once flushed to disk.
   */
  waitForDiskFlush?: boolean;
  /** Where failed writes are reported (shared with the event store in one process). */
  health?: StorageHealth;
  /** Progress of index builds over large collections (default: console.log). */
  log?: (message: string) => void;
}

export async function openLmdbReadStore(path: string, options: LmdbReadStoreOptions = {}): Promise<ReadStore> {
  const root = open({ path, maxDbs: MAX_COLLECTIONS, overlappingSync: options.waitForDiskFlush !== true, mapSize: LMDB_MAP_SIZE });
  const guard = new LmdbWriteGuard(root, path, options.health ?? new StorageHealth());
  return new LmdbReadStore(root, guard, () => options.health?.forget(path), options.log ?? ((message) => console.log(message)));
}

/**
 * Owns the sub-database handles: a collection's and its index database's (null until indexes are
 * declared or found). A dropped sub-database's handle is dead once the drop commits, so every
 * operation on a collection waits for a pending drop of it and then uses a fresh handle; without a
 * pending drop, operations are issued synchronously, which keeps them in call order. Reads get null
 * for a sub-database that does not exist (creating one is a write); writes create the collection's
 * (and the index database when `indexed`), and every write goes through the guard, which
 * classifies a refused commit.
 */
class SubDatabases {
  private readonly handles = new Map<string, Database>();
  private readonly pendingDrops = new Map<string, Promise<void>>();

  constructor(
    private readonly root: RootDatabase,
    private readonly guard: LmdbWriteGuard,
  ) {}

  read<R>(name: string, action: (db: Database | null, index: Database | null) => R): Promise<R> {
    return this.use(name, () => action(this.handle(name, false), this.handle(indexDatabaseName(name), false)));
  }

  /**
   * A read that needs no index (get by id): the index database's handle is not looked up, which
   * for a collection without one would be a key scan of the root database on every call.
   */
  readDocuments<R>(name: string, action: (db: Database | null) => R): Promise<R> {
    return this.use(name, () => action(this.handle(name, false)));
  }

  write<R>(name: string, indexed: boolean, action: (db: Database, index: Database | null) => Promise<R>): Promise<R> {
    return this.use(name, () =>
      this.guard.commit(action(this.handle(name, true)!, this.handle(indexDatabaseName(name), indexed))),
    );
  }

  private use<R>(name: string, action: () => R | Promise<R>): Promise<R> {
    const pendingDrop = this.pendingDrops.get(name);
    if (pendingDrop) return pendingDrop.then(() => this.use(name, action));
    try {
      return Promise.resolve(action());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Drops the collection and its index database in one transaction. */
  drop(name: string): Promise<void> {
    return this.use(name, () => {
      const db = this.handle(name, false);
      const index = this.handle(indexDatabaseName(name), false);
      if (db === null && index === null) return;
      this.handles.delete(name);
      this.handles.delete(indexDatabaseName(name));
      const dropping = this.guard
        .commit(this.root.transaction(() => {
          void db?.drop();
          void index?.drop();
        }))
        .then(() => undefined)
        .finally(() => {
          if (this.pendingDrops.get(name) === dropping) this.pendingDrops.delete(name);
        });
      this.pendingDrops.set(name, dropping);
      return dropping;
    });
  }

  /** Names of the collections' sub-databases, once pending drops have finished. */
  async names(): Promise<string[]> {
    await Promise.all(this.pendingDrops.values());
    return [...this.root.getKeys()].filter((key): key is string => typeof key === 'string' && !isIndexDatabaseName(key));
  }

  async settle(): Promise<void> {
    await Promise.all(this.pendingDrops.values());
  }

  /** A key scan of the root database (get/doesExist do not see a sub-database's entry). */
  private exists(name: string): boolean {
    for (const key of this.root.getKeys({ start: name, limit: 1 })) return key === name;
    return false;
  }

  private handle(name: string, create: boolean): Database | null {
    let db = this.handles.get(name);
    if (!db) {
      if (!create && !this.exists(name)) return null;
      // Opening an existing sub-database writes nothing; creating one commits at once.
      db = this.guard.sync(() => this.root.openDB({ name }));
      this.handles.set(name, db);
    }
    return db;
  }
}

class LmdbReadStore implements ReadStore {
  private readonly subDatabases: SubDatabases;
  private readonly declared: DeclaredIndexes;
  private closed = false;

  constructor(
    private readonly root: RootDatabase,
    guard: LmdbWriteGuard,
    private readonly onClose: () => void,
    log: (message: string) => void,
  ) {
    const subDatabases = new SubDatabases(root, guard);
    this.subDatabases = subDatabases;
    // A build still running when the store closes stops at its next batch, before touching LMDB.
    const write = (name: string, action: (db: Database, index: Database) => void) =>
      this.closed ? Promise.reject(new Error('read store is closed')) : subDatabases.write(name, true, (db, index) => root.transaction(() => action(db, index!)));
    this.declared = new DeclaredIndexes((name, fields) => buildIndexes(name, fields, (action) => write(name, action), log));
  }

  collection<T extends object = Doc>(name: string, options: CollectionOptions = {}): ReadCollection<T> {
    checkCollectionName(name);
    this.declared.declare(name, options.indexes);
    return new LmdbCollection<T>(name, this.root, this.subDatabases, this.declared);
  }

  async listCollections(): Promise<string[]> {
    const names = await this.subDatabases.names();
    const nonEmpty: string[] = [];
    for (const name of names) {
      const hasDocuments = await this.subDatabases.read(name, (db) => db !== null && !isEmpty(db));
      if (hasDocuments) nonEmpty.push(name);
    }
    return nonEmpty;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('read store is closed');
    isEmpty(this.root);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    await this.declared.settle();
    await this.subDatabases.settle();
    await this.root.close();
  }
}

class LmdbCollection<T extends object> implements ReadCollection<T> {
  constructor(
    private readonly name: string,
    private readonly root: RootDatabase,
    private readonly subDatabases: SubDatabases,
    private readonly declared: DeclaredIndexes,
  ) {}

  get(id: string): Promise<T | null> {
    return this.declared.after(this.name, () => this.subDatabases.readDocuments(this.name, (db) => (db?.get(id) as T | undefined) ?? null));
  }

  async put(id: string, doc: T): Promise<void> {
    await this.write((db, index) => {
      if (index === null) return db.put(id, doc).then(() => undefined);
      return this.root.transaction(() => {
        updateEntries(index, indexStates(index).keys(), id, db.get(id) as Doc | undefined, doc as Doc);
        void db.put(id, doc);
      });
    });
  }

  async delete(id: string): Promise<void> {
    await this.write((db, index) => {
      if (index === null) return db.remove(id).then(() => undefined);
      return this.root.transaction(() => {
        updateEntries(index, indexStates(index).keys(), id, db.get(id) as Doc | undefined, undefined);
        void db.remove(id);
      });
    });
  }

  async bulk(operations: BulkOperation<T>[]): Promise<void> {
    if (operations.length === 0) return;
    // Per id, the operations from the last put or delete on (what came before it is irrelevant).
    const operationsPerId = new Map<string, BulkOperation<T>[]>();
    for (const operation of operations) {
      const earlier = operationsPerId.get(operation.id);
      if (operation.op === 'raise' && earlier) earlier.push(operation);
      else operationsPerId.set(operation.id, [operation]);
    }
    await this.write((db, index) =>
      this.root.transaction(() => {
        const fields = index === null ? [] : [...indexStates(index).keys()];
        for (const [id, forId] of operationsPerId) {
          const before = fields.length > 0 || forId.some((operation) => operation.op === 'raise') ? (db.get(id) as Doc | undefined) : undefined;
          let after: Doc | undefined = before;
          for (const operation of forId) {
            after = operation.op === 'put' ? (operation.doc as Doc) : operation.op === 'delete' ? undefined : raised(after, operation.doc as Doc);
          }
          if (fields.length > 0) updateEntries(index!, fields, id, before, after);
          if (after !== undefined) void db.put(id, after);
          else void db.remove(id);
        }
      }),
    );
  }

  async find(options: FindOptions = {}): Promise<T[]> {
    return (await this.answerFind(options)).result as T[];
  }

  async findIds(options: FindOptions = {}): Promise<string[]> {
    return (await this.answerFindIds(options)).result;
  }

  async count(where?: Record<string, Scalar>, range?: FieldRange): Promise<number> {
    return (await this.answerCount(where, range)).result;
  }

  async explain(query: ExplainedQuery): Promise<QueryPlan> {
    if ('count' in query) return (await this.answerCount(query.count, query.range)).plan;
    return (query.idsOnly ? await this.answerFindIds(query.find) : await this.answerFind(query.find)).plan;
  }

  drop(): Promise<void> {
    return this.declared.after(this.name, () => {
      const dropping = this.subDatabases.drop(this.name);
      this.declared.rebuild(this.name, dropping); // the collection stays indexed
      return dropping;
    });
  }

  private answerFind(options: FindOptions) {
    const empty = { result: [], plan: { index: null, docsExamined: 0, keysExamined: null } };
    return this.read((db, index) => (db === null ? empty : findDocuments(db, index, options)));
  }

  private answerFindIds(options: FindOptions) {
    const empty = { result: [] as string[], plan: { index: null, docsExamined: 0, keysExamined: null } };
    return this.read((db, index) => (db === null ? empty : findIds(db, index, options)));
  }

  private answerCount(where: Record<string, Scalar> | undefined, range?: FieldRange) {
    const empty = { result: 0, plan: { index: null, docsExamined: 0, keysExamined: null } };
    return this.read((db, index) => (db === null ? empty : countDocuments(db, index, where, range)));
  }

  private read<R>(action: (db: Database | null, index: Database | null) => R): Promise<R> {
    return this.declared.after(this.name, () => this.subDatabases.read(this.name, action));
  }

  private write<R>(action: (db: Database, index: Database | null) => Promise<R>): Promise<R> {
    return this.declared.after(this.name, () => this.subDatabases.write(this.name, this.declared.has(this.name), action));
  }
}

function isEmpty(db: Database | RootDatabase): boolean {
  for (const _key of db.getKeys({ limit: 1 })) return false;
  return true;
}

/** Control characters and '$' (which MongoDB refuses too, and index databases use) are refused. */
function checkCollectionName(name: string): void {
  if (name.length === 0 || /[\u0000-\u001f$]/.test(name)) {
    throw new Error(`invalid collection name ${JSON.stringify(name)}`);
  }
}

/** `stored` with each field of `given` raised to it where greater (the port's `raise`). */
function raised(stored: Doc | undefined, given: Doc): Doc {
  if (stored === undefined) return given;
  const result: Doc = { ...stored };
  for (const [field, value] of Object.entries(given)) {
    const current = result[field];
    const comparable = (typeof current === 'number' && typeof value === 'number') || (typeof current === 'string' && typeof value === 'string');
    if (!comparable || (value as number | string) > (current as number | string)) result[field] = value;
  }
  return result;
}
