/**
 * Field-level differences between two versions of a spec, for the spec history. Objects are
 * compared field by field; arrays whose items all carry a `name` are matched by name (so a pack's
 * queries show as `queries[name].interval`); any other array is compared as one value.
 */

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

function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function change(field: string, from: Json, to: Json): FieldChange {
  const entry: FieldChange = { field };
  if (from !== undefined) entry.from = from;
  if (to !== undefined) entry.to = to;
  return entry;
}

function diffInto(path: string, before: Json, after: Json, out: FieldChange[]): void {
  if (sameJson(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) diffInto(path ? `${path}.${key}` : key, before[key], after[key], out);
    return;
  }
  if (isNamedList(before) && isNamedList(after) && before.length + after.length > 0) {
    const byName = (list: Array<{ name: string }>) => new Map(list.map((item) => [item.name, item]));
    const old = byName(before);
    const next = byName(after);
    for (const name of new Set([...old.keys(), ...next.keys()])) {
      diffInto(`${path}[${name}]`, old.get(name), next.get(name), out);
    }
    return;
  }
  out.push(change(path, before, after));
}

/** The changes from `before` (null for a new spec) to `after`. */
export function diffSpecs(before: object | null, after: object): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto('', before ?? {}, after, out);
  return out;
}
