/**
 * Field-level differences between two versions of a spec, for the spec history. Objects are
 * compared field by field; arrays whose items all carry a `name` are matched by name (so a pack's
 * queries show as `queries[name].interval`); any other array is compared as one value.
 */
import { sameJson } from '../../json/same-json';

export interface FieldChange {
  field: string;
  /** Absent when the field was added. */
  from?: unknown;
  /** Absent when the field was removed. */
  to?: unknown;
}

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: Json): value is Array<{ name: string }> {
  return Array.isArray(value) && value.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

function change(field: string, from: Json, to: Json): FieldChange {
  const entry: FieldChange = { field };
  if (from !== undefined) entry.from = from;
  if (to !== undefined) entry.to = to;
  return entry;
}

/** Two versions of one field, still to be compared. */
interface Pair {
  path: string;
  before: Json;
  after: Json;
}

/**
 * The fields to compare inside a pair (two objects: by key; two named lists: by name), in the
 * order their changes are listed; null when the pair is compared as one value.
 */
function fieldsOf({ path, before, after }: Pair): Pair[] | null {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].map((key) => ({ path: path ? `${path}.${key}` : key, before: before[key], after: after[key] }));
  }
  if (isNamedList(before) && isNamedList(after) && before.length + after.length > 0) {
    const byName = (list: Array<{ name: string }>) => new Map(list.map((item) => [item.name, item]));
    const old = byName(before);
    const next = byName(after);
    return [...new Set([...old.keys(), ...next.keys()])].map((name) => ({ path: `${path}[${name}]`, before: old.get(name), after: next.get(name) }));
  }
  return null;
}

/**
 * The changes from `before` (null for a new spec) to `after`.
 *
 * Iterative (an explicit stack, never recursion), so a value nested 100,000 deep is diffed in
 * constant call stack and linear time: objects and named lists are descended into without first
 * comparing them whole (two JSON-equal ones yield no change either way), and each remaining pair is
 * compared once by the iterative sameJson. Changes are listed depth first, in key order.
 */
export function diffSpecs(before: object | null, after: object): FieldChange[] {
  const out: FieldChange[] = [];
  const pending: Pair[] = [{ path: '', before: before ?? {}, after }];
  while (pending.length > 0) {
    const pair = pending.pop()!;
    const fields = fieldsOf(pair);
    if (fields === null) {
      if (!sameJson(pair.before, pair.after)) out.push(change(pair.path, pair.before, pair.after));
      continue;
    }
    for (let i = fields.length - 1; i >= 0; i -= 1) pending.push(fields[i]);
  }
  return out;
}
