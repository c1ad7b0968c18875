/**
 * Mutations of one HTTP request (body, encoding, path, query, method, credentials), shared by
 * the operator, agent and launcher generators. Each returns the mutated request; a mutation that
 * does not apply to a request returns it unchanged and is not offered for it.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { SeededRandom } from '../../services/host-simulator/seeded-random';
import { DEEP, deepJson, fillDeep, GARBAGE_TEXTS, garbage, HOSTILE_NAMES, HUGE_NUMBERS, LONE_SURROGATE, replaceLeaves, withName, withProtoKeys, withUnknownFields } from './fuzz-values';

export interface Draft {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

let bomb: Buffer | undefined;
/** 64 MiB of spaces, gzipped (about 64 KB): must be refused by the limit, not inflated. */
const gzipBomb = () => (bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024, 32)));
const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const withJson = (draft: Draft, body: Buffer, contentType = 'application/json'): Draft => ({ ...draft, headers: { ...draft.headers, 'content-type': contentType }, body });

/** Body mutations: `valid` is the route's valid body; `deep` one with DEEP where nesting is allowed. */
export type BodyMutation = (draft: Draft, valid: unknown, rnd: SeededRandom, limit: number, deep?: unknown) => Draft;

function stringLeavesToDeep(body: unknown, rnd: SeededRandom): unknown {
  if (Array.isArray(body)) return body.map((item) => stringLeavesToDeep(item, rnd));
  if (body !== null && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, stringLeavesToDeep(v, rnd)]));
  return typeof body === 'string' || typeof body === 'number' ? (rnd.chance(0.6) ? DEEP : body) : body;
}

const deepMutation =
  (depth: number): BodyMutation =>
  (draft, valid, rnd, _limit, deep) => {
    const nested = deepJson(depth, rnd.pick(['array', 'object'] as const));
    // Where the schema takes free-form JSON, nest there; else the whole body is the nesting.
    return withJson(draft, json(deep !== undefined ? fillDeep(deep, nested) : rnd.chance(0.5) ? nested : fillDeep({ specs: [{ name: 'deep', query: DEEP }] }, nested)));
  };

export const BODY_MUTATIONS: Record<string, BodyMutation> = {
  valid: (draft, valid) => withJson(draft, json(valid)),
  'empty-body': (draft) => ({ ...draft, headers: { ...draft.headers, 'content-type': 'application/json' }, body: Buffer.alloc(0) }),
  'no-body-no-type': (draft) => ({ ...draft, body: undefined }),
  'text-plain-json': (draft, valid) => withJson(draft, json(valid), 'text/plain'),
  'text-plain-garbage': (draft, _valid, rnd) => withJson(draft, Buffer.from(rnd.pick(GARBAGE_TEXTS)), 'text/plain; charset=utf-8'),
  'garbage-json': (draft, _valid, rnd) => withJson(draft, Buffer.from(rnd.pick(GARBAGE_TEXTS))),
  'binary-garbage': (draft, _valid, rnd) => withJson(draft, garbage(rnd, rnd.int(1, 2048)), rnd.pick(['application/octet-stream', 'application/json', 'multipart/form-data; boundary=x'])),
  'wrong-types': (draft, valid, rnd) => withJson(draft, json(replaceLeaves(valid, rnd))),
  'huge-numbers': (draft, valid, rnd) => withJson(draft, json(fillDeep(stringLeavesToDeep(valid, rnd), rnd.pick(HUGE_NUMBERS)))),
  'unknown-fields': (draft, valid) => withJson(draft, json(withUnknownFields(valid))),
  'proto-keys': (draft, valid, rnd) => withJson(draft, json(withProtoKeys(valid, rnd))),
  'lone-surrogate-name': (draft, valid) => withJson(draft, json(withName(valid, LONE_SURROGATE))),
  'hostile-name': (draft, valid, rnd) => withJson(draft, json(withName(valid, rnd.pick(HOSTILE_NAMES)))),
  'array-body': (draft, valid) => withJson(draft, json([valid, valid])),
  'deep-3000': deepMutation(3_000),
  'deep-10000': deepMutation(10_000),
  'gzip-not-gzip': (draft, valid) => ({ ...withJson(draft, json(valid)), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
  'deflate-not-deflate': (draft, valid) => ({ ...withJson(draft, json(valid)), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'deflate' } }),
  'br-not-br': (draft, valid) => ({ ...withJson(draft, json(valid)), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'br' } }),
  'br-valid': (draft, valid) => ({ ...withJson(draft, brotliCompressSync(json(valid))), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'br' } }),
  'gzip-valid': (draft, valid) => ({ ...withJson(draft, gzipSync(json(valid))), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
  'deflate-valid': (draft, valid) => ({ ...withJson(draft, deflateSync(json(valid))), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'deflate' } }),
  'gzip-bomb': (draft) => ({ ...withJson(draft, gzipBomb()), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
  'unknown-encoding': (draft, valid) => ({ ...withJson(draft, json(valid)), headers: { ...draft.headers, 'content-type': 'application/json', 'content-encoding': 'x-fuzz, gzip' } }),
  'bogus-charset': (draft, valid) => withJson(draft, json(valid), 'application/json; charset=x-klingon'),
  'over-limit': (draft, _valid, _rnd, limit) => withJson(draft, json({ specs: [{ name: 'big', query: 'x'.repeat(limit + 1024) }] })),
};

/** Path mutations: the segment at `index` (a parameter, else the last one) is changed. */
export type PathMutation = (segments: string[], index: number) => string[];
const replaceAt = (value: string): PathMutation => (segments, index) => segments.map((segment, i) => (i === index ? value : segment));
const insertAt = (...values: string[]): PathMutation => (segments, index) => [...segments.slice(0, index), ...values, ...segments.slice(index)];

export const PATH_MUTATIONS: Record<string, PathMutation> = {
  'pct-ff': replaceAt('%ff'),
  'pct-ff-inside': (segments, index) => segments.map((segment, i) => (i === index ? `${segment}%ff` : segment)),
  'lone-pct': replaceAt('%'),
  'pct-truncated': replaceAt('ab%2'),
  'pct-surrogate': replaceAt('%ED%A0%80'),
  'pct-nul': replaceAt('x%00y'),
  'pct-overlong-slash': replaceAt('%c0%af'),
  'name-10kb': replaceAt('n'.repeat(10_240)),
  'name-proto': replaceAt('__proto__'),
  'name-constructor': replaceAt('constructor'),
  traversal: insertAt('..', '..'),
  'pct-2e2e': insertAt('%2e%2e', '%2e%2e'),
  'encoded-slash': replaceAt('a%2fb'),
  'double-slash': insertAt(''),
  'id-huge': replaceAt('99999999999999999999999'),
  'id-negative': replaceAt('-1'),
  'id-float': replaceAt('1.5e3'),
  'id-word': replaceAt('abc'),
};

/** Query strings no client should send. */
export const QUERY_GARBAGE: readonly string[] = ['=-1', '=1e400', '[]=1', '[a]=b', '=abc', '=%ff', '=%', '=99999999999999999999', `=${'9'.repeat(5000)}`, '=__proto__', '=-0', '=0x10', '=&&&'];

/** Splits off the query; which segment index a path mutation should touch. */
export function pathParts(path: string, template: string): { segments: string[]; query: string; index: number } {
  const [bare, query = ''] = path.split(/\?(.*)/s);
  const segments = bare.split('/');
  const templateSegments = template.split(' ')[0].split('/');
  const param = templateSegments.findIndex((segment) => segment.startsWith(':'));
  return { segments, query, index: param >= 0 && param < segments.length ? param : segments.length - 1 };
}

export type Credential = 'no-token' | 'garbage-token' | 'malformed-auth' | 'node-key-as-token' | 'admin' | 'maintainer' | 'observer';
export const CREDENTIALS: readonly Credential[] = ['no-token', 'garbage-token', 'malformed-auth', 'node-key-as-token', 'admin', 'maintainer', 'observer'];

export function authorization(credential: Credential, tokens: Record<'admin' | 'maintainer' | 'observer', string>, nodeKey: string, rnd: SeededRandom): Record<string, string> {
  switch (credential) {
    case 'no-token':
      return {};
    case 'garbage-token':
      return { authorization: `Bearer ${garbage(rnd, 32).toString('base64url')}` };
    case 'malformed-auth':
      return { authorization: rnd.pick(['Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer a b c', `Bearer ${'A'.repeat(8000)}`, 'Bearer %ff', 'Bearer \u00ff\u00fe']) };
    case 'node-key-as-token':
      return { authorization: `Bearer ${nodeKey}` };
    default:
      return { authorization: `Bearer ${tokens[credential]}` };
  }
}
