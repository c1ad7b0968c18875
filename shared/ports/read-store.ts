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
  /**
   * A range on one top-level field, with MongoDB's type bracketing: a number bound matches only
   * numbers, a string bound only strings (by code point); with both bounds, both are of one type.
   * Meant for fields holding scalars (for an array field, adapters may differ).
   */
  range?: FieldRange;
  /** Sort by one top-level field (string or number values); ties by id ascending. */
  sort?: { field: string; direction: 'asc' | 'desc' };
  skip?: number;
  limit?: number;
  /**
   * Serve the query from this indexed field's index (it must be the `where`, `range` or `sort`
   * field) instead of the default choice: e.g. the sort's index when the equality matches most
   * documents, so a page reads about what it returns rather than every match. Ignored when the
   * field is not indexed or not in the query.
   */
  useIndex?: string;
}

export interface FieldRange {
  field: string;
  gte?: number | string;
  lt?: number | string;
}

/**
 * How a collection is read. `indexes` names the top-level fields it is filtered (`where`,
 * `range`, `count`) and sorted by; each gets a single-field index.
 *
 * Invariants:
 * - Declaring is idempotent and additive: the indexes of a collection are the union of what any
 *   handle of it declared (in this process or, for a store that keeps them, earlier); a handle
 *   that declares none still keeps the existing ones up to date on every write.
 * - An index is maintained with the document write itself: a read never sees a document without
 *   its index entries, nor a stale entry.
 * - Declaring an index on a collection that already holds documents builds it before the
 *   handle's first operation completes; it survives drop() (the collection is re-indexed empty).
 * - Indexes never change results, only their cost: a query is answered from at most one index,
 *   `useIndex` if given, else chosen in this order: an indexed field in `where`, then an indexed
 *   `range` field, then an indexed `sort` field. Such a query reads the documents it returns (plus skipped ones and ones
 *   the rest of the filter rejects), not the collection; `count` with only an indexed equality
 *   reads index keys and no document.
 * - Sorting by an indexed field that holds arrays is unspecified (adapters may differ).
 * - Paging costs what the page holds, not what it skips: a find served by an index with nothing
 *   left for the documents to decide (no other `where` field, no `idPrefix`, and, for a range or
 *   sort, the sort on the indexed field) skips index keys without reading them, and the store
 *   skips in its own engine (LMDB cursor offsets, MongoDB's server-side skip) rather than in
 *   JavaScript. findIds() of such a query reads no document at all.
 */
export interface CollectionOptions {
  indexes?: readonly string[];
}

/** What answering a query cost, for tests and diagnostics (see ReadCollection.explain). */
export interface QueryPlan {
  /** The indexed field whose index served the query, or null when the documents were scanned. */
  index: string | null;
  /** Documents read to answer, when the store reports it (null: it does not, e.g. the stand-in). */
  docsExamined: number | null;
  /** Index keys read, when the store reports it. */
  keysExamined: number | null;
}

export type ExplainedQuery =
  | { find: FindOptions; idsOnly?: boolean }
  | { count: Record<string, Scalar>; range?: FieldRange };

/**
 * - put: inserts or replaces the document;
 * - delete: removes it (a missing id is not an error);
 * - raise: inserts the document when there is none, else raises each of the stored document's
 *   fields named in `doc` to `doc`'s value where that is greater (numbers by value, strings by
 *   code unit; a field of another type, or missing, takes the given value) and leaves the other
 *   fields alone. Atomic per document, also between processes: two writers raising the same
 *   field concurrently leave the greater value, whatever the order (MongoDB's `$max`).
 */
export type BulkOperation<T> =
  | { op: 'put'; id: string; doc: T }
  | { op: 'delete'; id: string }
  | { op: 'raise'; id: string; doc: T };

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
  /**
   * The ids of the documents find(options) would return, in the same order. Served by an index
   * with nothing left for the documents to decide, it reads index keys only.
   */
  findIds(options?: FindOptions): Promise<string[]>;
  /**
   * Documents matching `where` and, if given, the range. Served by an index (an indexed `where`
   * field, else an indexed range field) with nothing else to decide, it counts index keys only.
   */
  count(where?: Record<string, Scalar>, range?: FieldRange): Promise<number>;
  /** Runs (or has the store explain) the find or count and tells how it was answered. */
  explain(query: ExplainedQuery): Promise<QueryPlan>;
  /** Removes the collection and all its documents. */
  drop(): Promise<void>;
}

export interface ReadStore {
  collection<T extends object = Record<string, unknown>>(name: string, options?: CollectionOptions): ReadCollection<T>;
  /** Names of the collections that hold at least one document. */
  listCollections(): Promise<string[]>;
  /** A cheap round trip that fails when the store is unusable (for /healthz and status). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
