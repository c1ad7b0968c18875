/**
 * Bounds on the shape of a parsed JSON body: how deep it nests, how many keys one object has, how
 * long a string (a value or a key) is, and no key that JavaScript gives a meaning to (`__proto__`,
 * `constructor`, `prototype`). Checked once at the edge, before anything else reads the body, so
 * that nothing behind it (joi, deciders, the event and read stores' serializers, which recurse)
 * ever sees a value deeper than `maxDepth`.
 *
 * The check is iterative (an explicit stack, never recursion): a body nested 1,000,000 deep is
 * refused in constant call stack, after visiting at most maxDepth levels of it.
 */

export interface JsonBounds {
  /** Containers (objects and arrays) nested in one another; the body itself is level 1. */
  maxDepth: number;
  maxKeysPerObject: number;
  /** In UTF-16 code units, for values and keys alike. */
  maxStringLength: number;
}

/**
 * The operator API's bounds, generous for every real payload: Fleet's deepest body, a team spec's
 * agent_options with per-platform overrides, is about 10 levels deep (`specs.0.agent_options.
 * overrides.platforms.darwin.decorators.load.0`); the longest string any schema accepts is a query
 * (64 Ki characters, MAX_SQL_LENGTH), so joi's own, more precise message answers strings up to 4x
 * that. Stored documents add at most 4 levels (a spec's history entry holds `changes.N.from`), far
 * under MongoDB's 100 and the depth at which the serializers overflow (about 2,000).
 */
export const OPERATOR_BODY_BOUNDS: JsonBounds = Object.freeze({
  maxDepth: 32,
  maxKeysPerObject: 1_000,
  maxStringLength: 262_144,
});

/** Keys refused anywhere in a body, as unknown fields: merging them could reach a prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonBoundsLimit = 'maxDepth' | 'maxKeysPerObject' | 'maxStringLength' | 'forbiddenKey';

export interface JsonBoundsViolation {
  limit: JsonBoundsLimit;
  /** joi-style path of the offending value (`specs.0.agent_options`); '' for the body itself. */
  path: string;
  /** A sentence naming the limit, for an operator. */
  reason: string;
}

/** One value still to visit; `parent` links let the path be built only on a violation. */
interface Visit {
  value: unknown;
  depth: number;
  key: string | number | null;
  parent: Visit | null;
}

/** Keys longer than this are shortened in paths (the path is shown to the operator). */
const SHOWN_KEY_LENGTH = 64;

function pathOf(visit: Visit): string {
  const segments: string[] = [];
  for (let at: Visit | null = visit; at !== null && at.key !== null; at = at.parent) {
    const key = String(at.key);
    segments.push(key.length > SHOWN_KEY_LENGTH ? `${key.slice(0, SHOWN_KEY_LENGTH)}…` : key);
  }
  return segments.reverse().join('.');
}

function violation(limit: JsonBoundsLimit, at: Visit, reason: string): JsonBoundsViolation {
  return { limit, path: pathOf(at), reason };
}

/**
 * The first violation met visiting the value in document order (an object's keys are checked
 * before the values they hold), or null when the value is within bounds.
 */
export function checkJsonBounds(value: unknown, bounds: JsonBounds): JsonBoundsViolation | null {
  // Invariant: `pending` holds the values not yet visited, the next one in document order on top.
  const pending: Visit[] = [{ value, depth: 0, key: null, parent: null }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (current.length > bounds.maxStringLength) {
        return violation('maxStringLength', visit, `a string is ${current.length} characters long, over the limit of ${bounds.maxStringLength}`);
      }
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const depth = visit.depth + 1;
    if (depth > bounds.maxDepth) {
      return violation('maxDepth', visit, `the body nests objects and arrays deeper than the limit of ${bounds.maxDepth} levels`);
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) pending.push({ value: current[i], depth, key: i, parent: visit });
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > bounds.maxKeysPerObject) {
      return violation('maxKeysPerObject', visit, `an object has ${keys.length} keys, over the limit of ${bounds.maxKeysPerObject}`);
    }
    const children: Visit[] = [];
    for (const key of keys) {
      const child: Visit = { value: (current as Record<string, unknown>)[key], depth, key, parent: visit };
      if (FORBIDDEN_KEYS.has(key)) return violation('forbiddenKey', child, `'${key}' is not allowed (unknown field)`);
      if (key.length > bounds.maxStringLength) {
        return violation('maxStringLength', child, `a key is ${key.length} characters long, over the limit of ${bounds.maxStringLength}`);
      }
      children.push(child);
    }
    for (let i = children.length - 1; i >= 0; i -= 1) pending.push(children[i]);
  }
  return null;
}
