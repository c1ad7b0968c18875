/**
 * MongoDB's matching and ordering rules, which the embedded adapter follows so that both adapters
 * answer alike: `where: {f: null}` also matches documents without f, a scalar matches an array
 * field containing it, ranges bracket by type, strings compare by code point (MongoDB's binary
 * UTF-8 order), and ids order ties and unsorted results.
 */
import type { FieldRange, FindOptions, Scalar } from '../../ports/read-store';

export type Doc = Record<string, unknown>;

/** Equality on `where` and the range, as MongoDB defines them. */
export function matcher(where: Record<string, Scalar> | undefined, range?: FieldRange): (doc: Doc) => boolean {
  const conditions = Object.entries(where ?? {});
  const inRange = range ? rangeTest(range) : undefined;
  if (conditions.length === 0 && !inRange) return () => true;
  return (doc) =>
    conditions.every(([field, expected]) => {
      const actual = doc[field];
      if (actual === expected) return true;
      if (expected === null && actual === undefined) return true;
      return Array.isArray(actual) && actual.includes(expected);
    }) &&
    (!inRange || (Array.isArray(doc[range!.field]) ? (doc[range!.field] as unknown[]).some(inRange) : inRange(doc[range!.field])));
}

/** Whether a value lies in the range: of the bounds' type, >= gte and < lt. */
export function rangeTest(range: FieldRange): (value: unknown) => boolean {
  const { gte, lt } = range;
  const type = typeof (gte ?? lt);
  return (value) => {
    if (typeof value !== type) return false;
    if (gte !== undefined && compareSortValues(value, gte) < 0) return false;
    return lt === undefined || compareSortValues(value, lt) < 0;
  };
}

/** MongoDB's order across types: missing/null, numbers, strings, objects, arrays, booleans. */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (Array.isArray(value)) return 4;
  if (typeof value === 'object') return 3;
  return 5;
}

export function compareSortValues(a: unknown, b: unknown): number {
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
export function compareCodePoints(a: string, b: string): number {
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

export function checkCount(option: 'skip' | 'limit', value: number): number {
  if (value === Infinity || (Number.isInteger(value) && value >= 0)) return value;
  throw new RangeError(`find: ${option} must be a non-negative integer, got ${value}`);
}

/** Rejects a range without bounds, with bounds of other types than number/string, or of two types. */
export function checkRange(options: FindOptions): FieldRange | undefined {
  const range = options.range;
  if (range === undefined) return undefined;
  const bounds = [range.gte, range.lt].filter((bound) => bound !== undefined);
  const types = new Set(bounds.map((bound) => typeof bound));
  if (bounds.length === 0 || types.size !== 1 || !(types.has('number') || types.has('string'))) {
    throw new RangeError(`find: range on ${range.field} needs gte and/or lt, both numbers or both strings`);
  }
  return range;
}

/** The index serving a query, by the port's rule: `useIndex`, else an indexed where field, then the range, then the sort. */
export function chooseIndex(indexed: ReadonlySet<string>, options: FindOptions): { field: string; by: 'where' | 'range' | 'sort' } | null {
  const wanted = options.useIndex;
  if (wanted !== undefined && indexed.has(wanted)) {
    if (options.where && wanted in options.where) return { field: wanted, by: 'where' };
    if (options.range?.field === wanted) return { field: wanted, by: 'range' };
    if (options.sort?.field === wanted) return { field: wanted, by: 'sort' };
  }
  for (const field of Object.keys(options.where ?? {})) if (indexed.has(field)) return { field, by: 'where' };
  if (options.range && indexed.has(options.range.field)) return { field: options.range.field, by: 'range' };
  if (options.sort && indexed.has(options.sort.field)) return { field: options.sort.field, by: 'sort' };
  return null;
}
