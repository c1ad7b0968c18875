/**
 * Paging over one field's index entries in LMDB's own engine: lmdb-js cursor offsets skip keys
 * in native code without decoding them to JavaScript, and getKeysCount counts them the same way,
 * so a page deep in a large index costs about what a first page does (the keys skipped are
 * walked by the C cursor, not materialised).
 *
 * Entries are `[1, field, rank, value, id]` (lmdb-index.ts). Every function here assumes each
 * document has one entry within the bounds (a scalar field, or an equality on an array field):
 * on a range or sort over an array field an id may come twice, which the port leaves unspecified.
 * Ids starting with U+10FFFF sort after GROUP_END and are not found by equality bounds.
 */
import type { Database, Key as LmdbKey } from 'lmdb';
import type { FieldRange, Scalar } from '../../ports/read-store';
import { indexedValue } from './lmdb-index';
import { typeRank } from './query-semantics';

type Key = unknown[];
const asKey = (key: Key): LmdbKey => key as unknown as LmdbKey;

/** Greater than every id of a value's group: the group of `v` is [[1, f, r, v], [1, f, r, v, GROUP_END]). */
const GROUP_END = '\u{10FFFF}';

export interface Bounds {
  low: Key;
  high: Key;
}

export interface KeyCounter {
  keysExamined: number;
}

export function equalBounds(field: string, value: Scalar): Bounds {
  const [rank, keyValue] = indexedValue(value);
  return { low: [1, field, rank, keyValue], high: [1, field, rank, keyValue, GROUP_END] };
}

/** The entries of a range (all of the field's entries without one). */
export function rangeBounds(field: string, range: FieldRange | undefined): Bounds {
  if (!range) return { low: [1, field], high: [1, field, 6] }; // rank 6 is above every rank
  const rank = typeRank(range.gte ?? range.lt);
  return {
    low: range.gte === undefined ? [1, field, rank] : [1, field, rank, range.gte],
    high: range.lt === undefined ? [1, field, rank + 1] : [1, field, rank, range.lt],
  };
}

export function countEntries(index: Database, bounds: Bounds): number {
  return index.getKeysCount({ start: asKey(bounds.low), end: asKey(bounds.high) });
}

/** Ids at positions [skip, skip + limit) of the entries, in key order (value, then id). */
export function ascendingPage(index: Database, bounds: Bounds, skip: number, limit: number, counter: KeyCounter): string[] {
  const ids: string[] = [];
  if (limit === 0) return ids;
  const options = { start: asKey(bounds.low), end: asKey(bounds.high), offset: skip, ...(limit === Infinity ? {} : { limit }) };
  for (const key of index.getKeys(options) as Iterable<Key>) ids.push(key[4] as string);
  counter.keysExamined += ids.length;
  return ids;
}

/**
 * Ids at positions [skip, skip + limit) in value-descending order with ties by id ascending (the
 * port's order), which is not the reverse of key order: the reverse cursor finds the group of
 * the first wanted position, and each group is then read forwards from the right offset. Costs
 * native cursor steps over what is skipped, plus a count within each group the page touches
 * (from its first wanted entry to the group's end, so only ties make it large).
 */
export function descendingPage(index: Database, bounds: Bounds, skip: number, limit: number, counter: KeyCounter): string[] {
  const ids: string[] = [];
  let position = skip;
  // The first group the page touches may be entered part-way: read it forwards from its offset
  // (a loop run at most once, for its breaks).
  while (ids.length < limit) {
    let first: Key | undefined;
    for (const key of index.getKeys({ start: asKey(bounds.high), end: asKey(bounds.low), reverse: true, offset: position, limit: 1 }) as Iterable<Key>) first = key;
    if (first === undefined) break;
    counter.keysExamined += 1;
    const group: Bounds = { low: first.slice(0, 4), high: [...first.slice(0, 4), GROUP_END] };
    // In reverse order the group's ids above first's come before it: first is at `position`.
    const fromFirst = countEntries(index, { low: first, high: group.high });
    const groupStart = position - (fromFirst - 1);
    const offsetInGroup = position - groupStart;
    const wanted = limit - ids.length;
    let read = 0;
    for (const key of index.getKeys({ start: asKey(group.low), end: asKey(group.high), offset: offsetInGroup, ...(wanted === Infinity ? {} : { limit: wanted }) }) as Iterable<Key>) {
      ids.push(key[4] as string);
      read += 1;
    }
    counter.keysExamined += read;
    if (read === wanted) return ids;
    position = groupStart + offsetInGroup + read; // the group is used up: the next one starts here
    break;
  }
  // From a group's start on, one reverse pass: each group's ids turned around (ties by id ascending).
  let group: string[] = [];
  let groupValue: Key | undefined;
  const flush = () => {
    for (let i = group.length - 1; i >= 0 && ids.length < limit; i -= 1) ids.push(group[i]);
    group = [];
  };
  if (ids.length < limit) {
    for (const key of index.getKeys({ start: asKey(bounds.high), end: asKey(bounds.low), reverse: true, offset: position }) as Iterable<Key>) {
      counter.keysExamined += 1;
      if (groupValue !== undefined && (groupValue[2] !== key[2] || groupValue[3] !== key[3])) {
        flush();
        if (ids.length >= limit) break;
      }
      groupValue = key;
      group.push(key[4] as string);
    }
    flush();
  }
  return ids;
}
