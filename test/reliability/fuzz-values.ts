/**
 * Hostile values and bodies, shared by the route generators. Every function is deterministic in
 * the random source it is given.
 */
import type { SeededRandom } from '../../services/host-simulator/seeded-random';

/** JSON text nested `depth` levels deep (arrays or objects), with `leaf` at the bottom. */
export function deepJson(depth: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array' ? '['.repeat(depth) + leaf + ']'.repeat(depth) : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** A string with a lone (unpaired) UTF-16 surrogate: not encodable as UTF-8. */
export const LONE_SURROGATE = 'name-\ud800-x';

/** Values of the wrong type for any field. */
export const WRONG_TYPES: readonly unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], {}, [null], { $gt: '' }, ['a', 1, null]];

/** Numbers a parser or a database may choke on (as JSON text). */
export const HUGE_NUMBERS: readonly string[] = ['1e400', '-1e400', '18446744073709551616', '9007199254740993', '-0', '1e-400', '123456789012345678901234567890', '0.0000000000000000000001'];

/** Names that are odd, over-long or unkind to a key-value store. */
export const HOSTILE_NAMES: readonly string[] = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  LONE_SURROGATE,
  '\ud83d\ude00 emoji',
  'nul\u0000byte',
  '../../etc/passwd',
  '%2e%2e',
  'a/b',
  'a'.repeat(256),
  'a'.repeat(10_240),
  '\u202e\u0000\uffff',
];

/** Replaces every string leaf of a valid body by `value`, every number by `number` (as JSON text). */
export function replaceLeaves(body: unknown, rnd: SeededRandom): unknown {
  if (Array.isArray(body)) return body.map((item) => replaceLeaves(item, rnd));
  if (body !== null && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, rnd.chance(0.5) ? rnd.pick(WRONG_TYPES) : replaceLeaves(value, rnd)]));
  }
  return rnd.pick(WRONG_TYPES);
}

/** Adds unknown fields at the top and, when there is one, in the first spec. */
export function withUnknownFields(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>), unknown_field: 'x', '': 1 };
  const specs = copy.specs;
  if (Array.isArray(specs) && specs.length > 0 && typeof specs[0] === 'object') copy.specs = [{ ...specs[0], colour: 'blue', $where: '1' }, ...specs.slice(1)];
  return copy;
}

/** The JSON text of `body` with `"__proto__"` (and friends) as own keys of the top and first spec. */
export function withProtoKeys(body: unknown, rnd: SeededRandom): string {
  const key = rnd.pick(['__proto__', 'constructor', 'prototype']);
  const payload = rnd.pick(['{"admin":true,"polluted":1}', '{"prototype":{"polluted":1}}', 'null', '"x"']);
  const text = JSON.stringify(body ?? {});
  if (!text.startsWith('{')) return `{"${key}":${payload}}`;
  // Inject as the first key of the top object and of every object following `"specs":[`.
  const top = `{"${key}":${payload}${text === '{}' ? '' : ','}${text.slice(1)}`;
  return top.replace(/"specs":\[\{/g, `"specs":[{"${key}":${payload},`).replace(/"spec":\{/g, `"spec":{"${key}":${payload},`);
}

/** Replaces every string leaf named "name" (or the hostname, query names) by `name`. */
export function withName(body: unknown, name: string): unknown {
  if (Array.isArray(body)) return body.map((item) => withName(item, name));
  if (body !== null && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, key === 'name' && typeof value === 'string' ? name : withName(value, name)]));
  }
  return body;
}

/** A placeholder string value that `fillDeep` replaces by deeply nested JSON text. */
export const DEEP = '@@deep@@';

/** The JSON text of `body` with every `DEEP` placeholder replaced by JSON text `inner`. */
export function fillDeep(body: unknown, inner: string): string {
  return JSON.stringify(body).split(JSON.stringify(DEEP)).join(inner);
}

/** Random printable garbage and binary noise. */
export function garbage(rnd: SeededRandom, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = rnd.int(0, 255);
  return bytes;
}

export const GARBAGE_TEXTS: readonly string[] = ['not json', '{"specs": [', '{', '[', '"', 'null', '[]', '0', '"str"', '{"a":1}{"b":2}', '\u0000\u0001', '{"a":"\\ud800"}', '{"a":NaN}', "{'a':1}", '{"a":1,}'];
