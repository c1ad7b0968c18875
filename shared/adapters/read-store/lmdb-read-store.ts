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
 * - find() and count() with `where` scan the whole collection and filter in memory: linear in
 *   the collection's size, plus an O(n log n) sort of the matches when `sort` is given. There are
 *   no secondary indexes; that is fine for the embedded store's collections.
 * - Matching and ordering follow MongoDB's rules, so both adapters answer alike: `where: {f: null}`
 *   also matches documents without f, a scalar matches an array field containing it, strings
 *   compare by code point (MongoDB's binary UTF-8 order), and ids order ties and unsorted results.
 * - A write the disk refuses (full disk) rejects with StorageUnavailableError and leaves nothing of
 *   its transaction (lmdb-write-guard.ts); reads go on, and never write: reading a collection that
 *   does not exist answers as an empty one instead of creating it.
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { idPrefixEnd } from './id-prefix';
import type {
  BulkOperation,
  FindOptions,
  ReadCollection,
  ReadStore,
  Scalar,
} from '../../ports/read-store';
import { LmdbWriteGuard } from '../storage/lmdb-write-guard';
import { StorageHealth } from '../storage/storage-health';

/** LMDB needs the number of named databases up front; dropped collections free their slot. */
const MAX_COLLECTIONS = 1000;

type Doc = Record<string, unknown>;

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
}

export async function openLmdbReadStore(path: string, options: LmdbReadStoreOptions = {}): Promise<ReadStore> {
  const root = open({ path, maxDbs: MAX_COLLECTIONS, overlappingSync: options.waitForDiskFlush !== true });
  const guard = new LmdbWriteGuard(root, path, options.health ?? new StorageHealth());
  return new LmdbReadStore(root, guard, () => options.health?.forget(path));
}

/**
 * Owns the sub-database handles. A dropped sub-database's handle is dead once the drop commits,
 * so every operation on a collection waits for a pending drop of it and then uses a fresh handle;
 * without a pending drop, operations are issued synchronously, which keeps them in call order.
 * Reads get null for a sub-database that does not exist (creating one is a write); writes create
 * it, and every write goes through the guard, which classifies a refused commit.
 */
class SubDatabases {
  private readonly handles = new Map<string, Database>();
  private readonly pendingDrops = new Map<string, Promise<void>>();

  constructor(
    private readonly root: RootDatabase,
    private readonly guard: LmdbWriteGuard,
  ) {}

  read<R>(name: string, action: (db: Database | null) => R): Promise<R> {
    return this.use(name, false, action);
  }

  write<R>(name: string, action: (db: Database) => Promise<R>): Promise<R> {
    return this.use(name, true, (db) => this.guard.commit(action(db!)));
  }

  private use<R>(name: string, create: boolean, action: (db: Database | null) => R | Promise<R>): Promise<R> {
    const pendingDrop = this.pendingDrops.get(name);
    if (pendingDrop) return pendingDrop.then(() => this.use(name, create, action));
    try {
      return Promise.resolve(action(this.handle(name, create)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  drop(name: string): Promise<void> {
    return this.use(name, false, (db) => {
      if (db === null) return;
      this.handles.delete(name);
      const dropping = this.guard.commit(db.drop()).finally(() => {
        if (this.pendingDrops.get(name) === dropping) this.pendingDrops.delete(name);
      });
      this.pendingDrops.set(name, dropping);
      return dropping;
    });
  }

  /** Names of every sub-database in the environment, once pending drops have finished. */
  async names(): Promise<string[]> {
    await Promise.all(this.pendingDrops.values());
    return [...this.root.getKeys()].filter((key): key is string => typeof key === 'string');
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
  private closed = false;

  constructor(
    private readonly root: RootDatabase,
    guard: LmdbWriteGuard,
    private readonly onClose: () => void,
  ) {
    this.subDatabases = new SubDatabases(root, guard);
  }

  collection<T extends object = Doc>(name: string): ReadCollection<T> {
    checkCollectionName(name);
    return new LmdbCollection<T>(name, this.root, this.subDatabases);
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
    await this.subDatabases.settle();
    await this.root.close();
  }
}

class LmdbCollection<T extends object> implements ReadCollection<T> {
  constructor(
    private readonly name: string,
    private readonly root: RootDatabase,
    private readonly subDatabases: SubDatabases,
  ) {}

  get(id: string): Promise<T | null> {
    return this.subDatabases.read(this.name, (db) => (db?.get(id) as T | undefined) ?? null);
  }

  async put(id: string, doc: T): Promise<void> {
    await this.subDatabases.write(this.name, (db) => db.put(id, doc));
  }

  async delete(id: string): Promise<void> {
    await this.subDatabases.write(this.name, (db) => db.remove(id));
  }

  async bulk(operations: BulkOperation<T>[]): Promise<void> {
    if (operations.length === 0) return;
    const lastOperationPerId = new Map<string, BulkOperation<T>>();
    for (const operation of operations) lastOperationPerId.set(operation.id, operation);
    await this.subDatabases.write(this.name, (db) =>
      this.root.transaction(() => {
        for (const operation of lastOperationPerId.values()) {
          if (operation.op === 'put') db.put(operation.id, operation.doc);
          else db.remove(operation.id);
        }
      }),
    );
  }

  find(options: FindOptions = {}): Promise<T[]> {
    const skip = checkCount('skip', options.skip ?? 0);
    const limit = checkCount('limit', options.limit ?? Infinity);
    return this.subDatabases.read(this.name, (db) => {
      if (db === null) return [];
      const matches = matcher(options.where);
      const range = idRange(options.idPrefix);
      if (!options.sort) return scanInIdOrder(db, range, matches, skip, limit) as T[];
      const found: Doc[] = [];
      for (const { value } of db.getRange(range)) if (matches(value)) found.push(value);
      const { field, direction } = options.sort;
      const sign = direction === 'desc' ? -1 : 1;
      // Array.prototype.sort is stable, so ties keep the scan's id order.
      found.sort((a, b) => sign * compareSortValues(a[field], b[field]));
      return found.slice(skip, skip + limit) as T[];
    });
  }

  count(where?: Record<string, Scalar>): Promise<number> {
    return this.subDatabases.read(this.name, (db) => {
      if (db === null) return 0;
      if (!where || Object.keys(where).length === 0) return db.getCount();
      const matches = matcher(where);
      let count = 0;
      for (const { value } of db.getRange()) if (matches(value)) count += 1;
      return count;
    });
  }

  drop(): Promise<void> {
    return this.subDatabases.drop(this.name);
  }
}

/** The key range of the ids that start with `prefix` (everything without one). */
function idRange(prefix: string | undefined): { start?: string; end?: string } {
  return prefix === undefined || prefix === '' ? {} : { start: prefix, end: idPrefixEnd(prefix) };
}

function scanInIdOrder(db: Database, range: { start?: string; end?: string }, matches: (doc: Doc) => boolean, skip: number, limit: number): Doc[] {
  const found: Doc[] = [];
  if (limit === 0) return found;
  let skipped = 0;
  for (const { value } of db.getRange(range)) {
    if (!matches(value)) continue;
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    found.push(value);
    if (found.length >= limit) break;
  }
  return found;
}

function isEmpty(db: Database | RootDatabase): boolean {
  for (const _key of db.getKeys({ limit: 1 })) return false;
  return true;
}

/** MongoDB equality: null also matches a missing field; an array field matches if it contains the value. */
function matcher(where: Record<string, Scalar> | undefined): (doc: Doc) => boolean {
  const conditions = Object.entries(where ?? {});
  if (conditions.length === 0) return () => true;
  return (doc) =>
    conditions.every(([field, expected]) => {
      const actual = doc[field];
      if (actual === expected) return true;
      if (expected === null && actual === undefined) return true;
      return Array.isArray(actual) && actual.includes(expected);
    });
}

/** MongoDB's order across types: missing/null, numbers, strings, objects, arrays, booleans. */
function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (Array.isArray(value)) return 4;
  if (typeof value === 'object') return 3;
  return 5;
}

function compareSortValues(a: unknown, b: unknown): number {
  const rankDifference = typeRank(a) - typeRank(b);
  if (rankDifference !== 0) return rankDifference;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/**
 * Code point order (= UTF-8 byte order, MongoDB's and LMDB's key order). JavaScript's `<` compares
 * UTF-16 code units, which puts astral characters (surrogates, 0xD800-0xDFFF) before 0xE000-0xFFFF.
 */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderOfUnit(x) - codePointOrderOfUnit(y);
  }
  return a.length - b.length;
}

function codePointOrderOfUnit(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function checkCount(option: 'skip' | 'limit', value: number): number {
  if (value === Infinity || (Number.isInteger(value) && value >= 0)) return value;
  throw new RangeError(`find: ${option} must be a non-negative integer, got ${value}`);
}

function checkCollectionName(name: string): void {
  if (name.length === 0 || /[\u0000-\u001f]/.test(name)) {
    throw new Error(`invalid collection name ${JSON.stringify(name)}`);
  }
}
