/**
 * Secondary indexes of the embedded read store. Each indexed collection has a companion LMDB
 * sub-database (see indexDatabaseName) whose keys are lmdb-js ordered keys (arrays compare
 * element by element; strings by UTF-8 bytes, i.e. code point, like MongoDB):
 *
 * - `[0, field]` -> 'building' | 'ready': the field is indexed. Writers maintain the entries of
 *   every field that has a marker (so a writer that declared nothing, or another process, keeps
 *   them right); readers use only 'ready' ones. Markers live with the entries, so dropping the
 *   collection (which drops both sub-databases) forgets them together.
 * - `[1, field, rank, value, id]` -> 1: the document `id` has `value` in `field`. rank is
 *   typeRank (MongoDB's order across types) and value the scalar (null for a missing field,
 *   objects and arrays), so keys order as MongoDB sorts. An array field has one entry per element
 *   (a scalar in `where` matches an array containing it, as MongoDB's multikey indexes do); an
 *   empty array has an entry of the array rank. Ids containing U+0000 are not ordered correctly.
 *
 * Entries change in the same LMDB transaction as the document, so they never disagree with it.
 */
import type { Database, Key } from 'lmdb';
import { typeRank, type Doc } from './query-semantics';

export type IndexState = 'building' | 'ready';
export type EntryKey = [1, string, number, string | number | boolean | null, string];

const BUILD_BATCH = 5_000;
const LOG_BUILDS_FROM = 20_000;

/**
 * The companion sub-database. Collection names cannot contain '$' (checkCollectionName, as in
 * MongoDB), so it never collides with one; a control character would (lmdb-js escapes those in
 * keys, and the root database's names would no longer match).
 */
export function indexDatabaseName(collection: string): string {
  return `${collection}$index`;
}

export function isIndexDatabaseName(name: string): boolean {
  return name.includes('$');
}

export function indexStates(index: Database | null): Map<string, IndexState> {
  const states = new Map<string, IndexState>();
  if (index === null) return states;
  for (const { key, value } of index.getRange({ start: [0], end: [1] })) {
    states.set((key as [0, string])[1], value as IndexState);
  }
  return states;
}

export function readyFields(index: Database | null): Set<string> {
  const ready = new Set<string>();
  for (const [field, state] of indexStates(index)) if (state === 'ready') ready.add(field);
  return ready;
}

/** The rank and key value a scalar is indexed under. */
export function indexedValue(value: unknown): [number, string | number | boolean | null] {
  const rank = typeRank(value);
  return [rank, rank === 1 || rank === 2 || rank === 5 ? (value as string | number | boolean) : null];
}

export function entryKeys(field: string, doc: Doc | undefined, id: string): EntryKey[] {
  if (doc === undefined) return [];
  const value = doc[field];
  if (Array.isArray(value) && value.length > 0) return value.map((element) => [1, field, ...indexedValue(element), id]);
  return [[1, field, ...indexedValue(value), id]];
}

/**
 * Replaces `id`'s entries for every marked field, given the stored document before and after
 * (undefined: none). Must run inside the write transaction that writes the document.
 */
export function updateEntries(index: Database, fields: Iterable<string>, id: string, before: Doc | undefined, after: Doc | undefined): void {
  for (const field of fields) {
    if (before !== undefined && after !== undefined && !Array.isArray(before[field]) && !Array.isArray(after[field])) {
      // One entry before and after (the common case: a scalar field rewritten): move it if its value moved.
      const [oldRank, oldValue] = indexedValue(before[field]);
      const [newRank, newValue] = indexedValue(after[field]);
      if (oldRank === newRank && Object.is(oldValue, newValue)) continue;
      index.remove([1, field, oldRank, oldValue, id] as unknown as Key);
      index.put([1, field, newRank, newValue, id] as unknown as Key, 1);
      continue;
    }
    const old = entryKeys(field, before, id);
    const next = entryKeys(field, after, id);
    const nextSet = new Set(next.map((key) => JSON.stringify(key)));
    const oldSet = new Set(old.map((key) => JSON.stringify(key)));
    for (const key of old) if (!nextSet.has(JSON.stringify(key))) index.remove(key as unknown as Key);
    for (const key of next) if (!oldSet.has(JSON.stringify(key))) index.put(key as unknown as Key, 1);
  }
}

/**
 * Builds the missing indexes of a collection, in batches (each one write transaction): mark the
 * fields 'building' first (writers maintain them from then on), add the entries of the documents
 * already stored, then mark them 'ready'. Idempotent; interrupted builds resume on the next open.
 * `write` runs its callback in a write transaction on the collection and its index database.
 */
export async function buildIndexes(
  collection: string,
  fields: readonly string[],
  write: (action: (db: Database, index: Database) => void) => Promise<void>,
  log: (message: string) => void,
): Promise<void> {
  let building: string[] = [];
  let total = 0;
  await write((db, index) => {
    const states = indexStates(index);
    building = fields.filter((field) => states.get(field) !== 'ready');
    for (const field of building) if (!states.has(field)) index.put([0, field], 'building');
    total = building.length > 0 ? db.getCount() : 0;
  });
  if (building.length === 0) return;
  const logging = total >= LOG_BUILDS_FROM;
  if (logging) log(`read store: indexing ${collection} by ${building.join(', ')} (${total} documents)`);
  let after: string | undefined;
  let done = 0;
  for (;;) {
    let batch = 0;
    await write((db, index) => {
      for (const { key, value } of db.getRange({ start: after, limit: BUILD_BATCH + 1 })) {
        if (key === after) continue;
        if (batch === BUILD_BATCH) break;
        for (const field of building) for (const entry of entryKeys(field, value as Doc, key as string)) index.put(entry as unknown as Key, 1);
        after = key as string;
        batch += 1;
      }
    });
    done += batch;
    if (batch < BUILD_BATCH) break;
    if (logging) log(`read store: indexing ${collection}: ${done}/${total} documents`);
  }
  await write((_db, index) => {
    for (const field of building) index.put([0, field], 'ready');
  });
  if (logging) log(`read store: indexed ${collection} by ${building.join(', ')}`);
}
