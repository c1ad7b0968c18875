/**
 * Read store port: named collections of JSON documents keyed by a string id, which is all the
 * projectors (write) and the GET endpoints (read) need. Documents are plain JSON (no Dates,
 * no undefined values, no keys starting with '$' or containing '.').
 */

export type Scalar = string | number | boolean | null;

export interface FindOptions {
  /**
   * Only documents whose id starts with this string. Adapters read just that range of ids (an
   * index range, not a scan of the collection), so ids built as `<parent>:<child>` let one
   * parent's documents be read without visiting the others.
   */
  idPrefix?: string;
  /** Equality on top-level fields; every entry must match. */
  where?: Record<string, Scalar>;
  /** Sort by one top-level field (string or number values); ties by id ascending. */
  sort?: { field: string; direction: 'asc' | 'desc' };
  skip?: number;
  limit?: number;
}

export type BulkOperation<T> =
  | { op: 'put'; id: string; doc: T }
  | { op: 'delete'; id: string };

export interface ReadCollection<T extends object = Record<string, unknown>> {
  get(id: string): Promise<T | null>;
  /** Inserts or replaces the document with this id. */
  put(id: string, doc: T): Promise<void>;
  /** Deletes the document; deleting a missing id is not an error. */
  delete(id: string): Promise<void>;
  /** Applies the operations in order; resolves once all are stored. */
  bulk(operations: BulkOperation<T>[]): Promise<void>;
  /** Documents matching `where`, without their ids (the id is whatever the caller keyed them by). */
  find(options?: FindOptions): Promise<T[]>;
  count(where?: Record<string, Scalar>): Promise<number>;
  /** Removes the collection and all its documents. */
  drop(): Promise<void>;
}

export interface ReadStore {
  collection<T extends object = Record<string, unknown>>(name: string): ReadCollection<T>;
  /** Names of the collections that hold at least one document. */
  listCollections(): Promise<string[]>;
  /** A cheap round trip that fails when the store is unusable (for /healthz and status). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
