/**
 * find() and count() of the embedded read store, over a collection's sub-database and its index
 * database (lmdb-index.ts), counting what they read so that explain() can report it.
 *
 * A query is served by at most one ready index, chosen as the port says (chooseIndex). The index
 * yields candidate ids in the order the query needs where it can (id order for an equality,
 * value order for a range or sort on the indexed field), and only candidates are read; skipped
 * candidates are not even read when the index alone decides the rest of the filter. Otherwise
 * (no usable index) the documents are scanned in id order, within the idPrefix range if given.
 * When the index alone decides the query, pages and counts are taken in LMDB's engine
 * (lmdb-paging.ts): skipped keys are stepped over natively, never decoded.
 */
import type { Database } from 'lmdb';
import type { FieldRange, FindOptions, QueryPlan, Scalar } from '../../ports/read-store';
import { ascendingPage, countEntries, descendingPage, equalBounds, rangeBounds } from './lmdb-paging';
import { idPrefixEnd } from './id-prefix';
import { indexedValue, readyFields } from './lmdb-index';
import { checkCount, checkRange, chooseIndex, compareCodePoints, compareSortValues, matcher, typeRank, type Doc } from './query-semantics';

export interface Answer<R> {
  result: R;
  plan: QueryPlan;
}

type Key = unknown[];
type LmdbKey = import('lmdb').Key;
const asKey = (key: Key): LmdbKey => key as unknown as LmdbKey;

class Reader {
  docsExamined = 0;
  keysExamined = 0;
  constructor(readonly db: Database) {}
  get(id: string): Doc | undefined {
    this.docsExamined += 1;
    return this.db.get(id) as Doc | undefined;
  }
}

/** A found document and its id; `doc` is undefined only when ids alone were asked for. */
export type Entry = [string, Doc | undefined];

export function findDocuments(db: Database, index: Database | null, options: FindOptions): Answer<Doc[]> {
  const answer = findEntries(db, index, options, false);
  return { result: answer.result.map(([, doc]) => doc!), plan: answer.plan };
}

export function findIds(db: Database, index: Database | null, options: FindOptions): Answer<string[]> {
  const answer = findEntries(db, index, options, true);
  return { result: answer.result.map(([id]) => id), plan: answer.plan };
}

function findEntries(db: Database, index: Database | null, options: FindOptions, idsOnly: boolean): Answer<Entry[]> {
  const skip = checkCount('skip', options.skip ?? 0);
  const limit = checkCount('limit', options.limit ?? Infinity);
  const range = checkRange(options);
  const reader = new Reader(db);
  const chosen = index === null ? null : chooseIndex(readyFields(index), options);
  const plan = (): QueryPlan => ({ index: chosen?.field ?? null, docsExamined: reader.docsExamined, keysExamined: chosen ? reader.keysExamined : null });
  if (chosen === null || index === null) return { result: scan(reader, options, skip, limit, idsOnly), plan: plan() };

  const { field, by } = chosen;
  const where = { ...(options.where ?? {}) };
  if (by === 'where') delete where[field];
  const residualRange = by === 'range' ? undefined : range;
  const needsDocument = Object.keys(where).length > 0 || residualRange !== undefined;
  const matches = matcher(where, residualRange);
  const prefix = options.idPrefix ?? '';
  const sort = options.sort;
  const direction = sort?.field === field ? sort.direction : 'asc';
  const inIndexOrder = by === 'where' ? !sort || sort.field === field : sort?.field === field;
  if (!needsDocument && prefix === '' && inIndexOrder) {
    // The index decides everything: page in LMDB's engine, read only the page's documents.
    const bounds = by === 'where' ? equalBounds(field, options.where![field]) : rangeBounds(field, by === 'range' ? range : undefined);
    const ids = direction === 'desc' && by !== 'where' ? descendingPage(index, bounds, skip, limit, reader) : ascendingPage(index, bounds, skip, limit, reader);
    const entries: Entry[] = [];
    for (const id of ids) {
      if (idsOnly) entries.push([id, undefined]);
      else {
        const doc = reader.get(id);
        if (doc !== undefined) entries.push([id, doc]);
      }
    }
    return { result: entries, plan: plan() };
  }
  const keys = (): Iterable<Key> => {
    if (by === 'where') return equalKeys(index, field, options.where![field]);
    if (by === 'range') return rangeKeys(index, field, range!, direction);
    return rangeKeys(index, field, undefined, direction);
  };
  let ids: Iterable<string> = orderedIds(keys(), reader, direction);
  if (prefix !== '') ids = filterIds(ids, (id) => id.startsWith(prefix));
  if (!sort && by !== 'where') ids = [...ids].sort(compareCodePoints); // unsorted results are in id order
  if (!sort || sort.field === field) return { result: page(reader, ids, needsDocument ? matches : null, skip, limit), plan: plan() };
  // Sorted by another field: every candidate is read, then sorted (stably, so ties keep id order).
  if (by !== 'where') ids = [...ids].sort(compareCodePoints);
  const found = page(reader, ids, needsDocument ? matches : null, 0, Infinity);
  const sign = sort.direction === 'desc' ? -1 : 1;
  found.sort((a, b) => sign * compareSortValues(a[1]![sort.field], b[1]![sort.field]));
  return { result: found.slice(skip, skip + limit), plan: plan() };
}

export function countDocuments(db: Database, index: Database | null, where: Record<string, Scalar> | undefined, range?: FieldRange): Answer<number> {
  const reader = new Reader(db);
  const conditions = where ?? {};
  if (range) checkRange({ range });
  const chosen = index === null ? null : chooseIndex(readyFields(index), { where: conditions, range });
  const plan = (): QueryPlan => ({ index: chosen?.field ?? null, docsExamined: reader.docsExamined, keysExamined: chosen ? reader.keysExamined : null });
  if (chosen === null || index === null) {
    // The whole collection: LMDB's own entry count of the sub-database (mdb_stat), not a cursor walk.
    if (Object.keys(conditions).length === 0 && !range) return { result: (db.getStats() as { entryCount: number }).entryCount, plan: plan() };
    const matches = matcher(conditions, range);
    let count = 0;
    for (const { value } of db.getRange()) {
      reader.docsExamined += 1;
      if (matches(value as Doc)) count += 1;
    }
    return { result: count, plan: plan() };
  }
  const rest = { ...conditions };
  if (chosen.by === 'where') delete rest[chosen.field];
  const residualRange = chosen.by === 'range' ? undefined : range;
  const bounds = chosen.by === 'where' ? equalBounds(chosen.field, conditions[chosen.field]) : rangeBounds(chosen.field, range);
  if (Object.keys(rest).length === 0 && residualRange === undefined) {
    // Counted in LMDB's engine, keys only.
    const count = countEntries(index, bounds);
    reader.keysExamined += count;
    return { result: count, plan: plan() };
  }
  const keys = chosen.by === 'where' ? equalKeys(index, chosen.field, conditions[chosen.field]) : rangeKeys(index, chosen.field, range, 'asc');
  const count = page(reader, orderedIds(keys, reader, 'asc'), matcher(rest, residualRange), 0, Infinity).length;
  return { result: count, plan: plan() };
}

/** The entries of documents whose field equals `value` (null: also missing), in id order. */
function* equalKeys(index: Database, field: string, value: Scalar): Iterable<Key> {
  const [rank, keyValue] = indexedValue(value);
  for (const key of index.getKeys({ start: asKey([1, field, rank, keyValue]) }) as Iterable<Key>) {
    if (key[0] !== 1 || key[1] !== field || key[2] !== rank || key[3] !== keyValue) return;
    yield key;
  }
}

/** The entries within the range (all of the field's without one), in value order then id order. */
function rangeKeys(index: Database, field: string, range: FindOptions['range'], direction: 'asc' | 'desc'): Iterable<Key> {
  let low: Key = [1, field];
  let high: Key = [1, field, 6]; // above every rank
  if (range) {
    const rank = typeRank(range.gte ?? range.lt);
    low = range.gte === undefined ? [1, field, rank] : [1, field, rank, range.gte];
    high = range.lt === undefined ? [1, field, rank + 1] : [1, field, rank, range.lt];
  }
  const keys = direction === 'asc' ? index.getKeys({ start: asKey(low), end: asKey(high) }) : index.getKeys({ start: asKey(high), end: asKey(low), reverse: true });
  return keys as Iterable<Key>;
}

/**
 * The ids of the entries, each once (an array field has several entries: the first one met is
 * its smallest element ascending, its largest descending, as MongoDB sorts arrays). Descending,
 * ties are still in id order: entries of one value are buffered and turned around.
 */
function* orderedIds(keys: Iterable<Key>, reader: Reader, direction: 'asc' | 'desc'): Iterable<string> {
  const seen = new Set<string>();
  let group: string[] = [];
  let groupValue: Key | undefined;
  for (const key of keys) {
    reader.keysExamined += 1;
    const id = key[4] as string;
    if (direction === 'asc') {
      if (!seen.has(id)) yield id;
      seen.add(id);
      continue;
    }
    if (groupValue && (groupValue[2] !== key[2] || groupValue[3] !== key[3])) {
      yield* unseen(group.reverse(), seen);
      group = [];
    }
    groupValue = key;
    group.push(id);
  }
  yield* unseen(group.reverse(), seen);
}

function* unseen(ids: string[], seen: Set<string>): Iterable<string> {
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    yield id;
  }
}

function* filterIds(ids: Iterable<string>, keep: (id: string) => boolean): Iterable<string> {
  for (const id of ids) if (keep(id)) yield id;
}

/** Reads the documents of `ids` that match, skipping `skip`; with no matcher, skips unread. */
function page(reader: Reader, ids: Iterable<string>, matches: ((doc: Doc) => boolean) | null, skip: number, limit: number): Entry[] {
  const found: Entry[] = [];
  if (limit === 0) return found;
  let skipped = 0;
  for (const id of ids) {
    if (matches === null && skipped < skip) {
      skipped += 1;
      continue;
    }
    const doc = reader.get(id);
    if (doc === undefined || (matches !== null && !matches(doc))) continue;
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    found.push([id, doc]);
    if (found.length >= limit) break;
  }
  return found;
}

/** No usable index: the documents in id order (within the idPrefix range), filtered. */
function scan(reader: Reader, options: FindOptions, skip: number, limit: number, idsOnly: boolean): Entry[] {
  const matches = matcher(options.where, options.range);
  const prefix = options.idPrefix;
  const range = prefix === undefined || prefix === '' ? {} : { start: prefix, end: idPrefixEnd(prefix) };
  const sort = options.sort;
  const found: Entry[] = [];
  if (!sort && limit === 0) return found;
  if (!sort && options.range === undefined && Object.keys(options.where ?? {}).length === 0) {
    // Ids alone decide (an id range at most): skip in LMDB's engine, read only the page.
    const page = { ...range, offset: skip, ...(limit === Infinity ? {} : { limit }) };
    if (idsOnly) for (const key of reader.db.getKeys(page)) found.push([key as string, undefined]);
    else
      for (const { key, value } of reader.db.getRange(page)) {
        reader.docsExamined += 1;
        found.push([key as string, value as Doc]);
      }
    return found;
  }
  let skipped = 0;
  for (const { key, value } of reader.db.getRange(range)) {
    reader.docsExamined += 1;
    if (!matches(value as Doc)) continue;
    if (sort) {
      found.push([key as string, value as Doc]);
      continue;
    }
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    found.push([key as string, value as Doc]);
    if (found.length >= limit) break;
  }
  if (!sort) return found;
  const sign = sort.direction === 'desc' ? -1 : 1;
  // Array.prototype.sort is stable, so ties keep the scan's id order.
  found.sort((a, b) => sign * compareSortValues(a[1]![sort.field], b[1]![sort.field]));
  return found.slice(skip, skip + limit);
}
