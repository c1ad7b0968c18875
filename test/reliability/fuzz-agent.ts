/** Cases for osquery's TLS API (enroll, config, distributed/read+write, log) and the launcher poll. */
import type { SeededRandom } from '../../services/host-simulator/seeded-random';
import type { Family, FuzzContext, HttpCase } from './fuzz-case';
import { BODY_MUTATIONS, type Draft } from './fuzz-http-mutations';
import { AGENT_BODY_LIMIT } from './fuzz-limits';
import { DEEP, deepJson, fillDeep, LONE_SURROGATE } from './fuzz-values';

type NewCase = Omit<HttpCase, 'id'>;
const O = '/api/v1/osquery';

interface AgentEndpoint {
  path: string;
  family: Family;
  valid(ctx: FuzzContext, rnd: SeededRandom): unknown;
  /** Hostile bodies particular to this endpoint, as JSON text, by mutation name. */
  hostile: Record<string, (ctx: FuzzContext, rnd: SeededRandom) => string>;
}

const details = (hostname: string) => ({ system_info: { hostname, uuid: hostname, hardware_serial: 'x' }, os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04' }, osquery_info: { version: '5.12.1' } });
// Never the fuzzer's own host identifier: re-enrolling it would change the node key it uses.
const fuzzHost = (rnd: SeededRandom) => `fuzz-agent-${rnd.int(0, 99_999)}`;
const text = (value: unknown) => JSON.stringify(value);

const NODE_KEY_HOSTILE: Record<string, (ctx: FuzzContext, rnd: SeededRandom) => string> = {
  'node-key-number': () => text({ node_key: 42 }),
  'node-key-object': () => text({ node_key: { $ne: '' } }),
  'node-key-array': (ctx) => text({ node_key: [ctx.nodeKey] }),
  'node-key-null': () => text({ node_key: null }),
  'node-key-missing': () => text({}),
  'node-key-empty': () => text({ node_key: '' }),
  'node-key-proto': () => '{"node_key":"__proto__"}',
  'node-key-is-operator-token': (ctx) => text({ node_key: ctx.tokens.admin }),
  'node-key-huge': () => text({ node_key: 'k'.repeat(100_000) }),
  'node-key-surrogate': () => text({ node_key: LONE_SURROGATE }),
};

const writeOf = (ctx: FuzzContext, name: string, rows: unknown = [{ a: '1' }], status: unknown = 0) =>
  `{"node_key":${text(ctx.nodeKey)},"queries":{${text(name)}:${text(rows)}},"statuses":{${text(name)}:${text(status)}},"messages":{},"stats":{}}`;

const HOSTILE_QUERY_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

function writeHostile(): Record<string, (ctx: FuzzContext, rnd: SeededRandom) => string> {
  const cases: Record<string, (ctx: FuzzContext, rnd: SeededRandom) => string> = {};
  for (const prefix of ['fleet_detail_query_', 'fleet_label_query_', 'fleet_policy_query_', 'fleet_distributed_query_']) {
    for (const name of HOSTILE_QUERY_NAMES) cases[`write-${prefix}${name}`] = (ctx) => writeOf(ctx, `${prefix}${name}`);
  }
  cases['write-bare-__proto__'] = (ctx) => writeOf(ctx, '__proto__');
  cases['write-campaign-id-huge'] = (ctx) => writeOf(ctx, 'fleet_distributed_query_99999999999999999999999');
  cases['write-campaign-id-negative'] = (ctx) => writeOf(ctx, 'fleet_distributed_query_-1');
  cases['write-campaign-real-bad-rows'] = (ctx) => writeOf(ctx, `fleet_distributed_query_${ctx.campaignId}`, 'not rows', 'zero');
  cases['write-rows-not-array'] = (ctx) => writeOf(ctx, 'fleet_detail_query_system_info', { hostname: 1 });
  cases['write-rows-wrong-types'] = (ctx) => writeOf(ctx, 'fleet_detail_query_system_info', [{ hostname: { a: 1 }, uuid: [1] }, null, 7]);
  cases['write-status-huge'] = (ctx) => writeOf(ctx, 'fleet_detail_query_os_version', [], 1e308);
  cases['write-queries-not-object'] = (ctx) => text({ node_key: ctx.nodeKey, queries: 'all', statuses: [] });
  cases['write-deep-rows'] = (ctx) => fillDeep({ node_key: ctx.nodeKey, queries: { fleet_detail_query_system_info: DEEP }, statuses: {} }, deepJson(10_000, 'array'));
  cases['write-proto-rows'] = (ctx) => `{"node_key":${text(ctx.nodeKey)},"queries":{"fleet_detail_query_system_info":[{"__proto__":{"hostname":"x"},"hostname":"y"}]},"statuses":{}}`;
  cases['write-surrogate-name'] = (ctx) => writeOf(ctx, `fleet_label_query_${LONE_SURROGATE}`);
  return cases;
}

const logLine = (ctx: FuzzContext) => ({ name: 'pack/fuzz/q', hostIdentifier: ctx.hostname, calendarTime: 'Mon Jan  1 00:00:00 2024 UTC', unixTime: 1704067200, epoch: 0, counter: 0, numerics: false, columns: { a: '1' }, action: 'added' });

const ENDPOINTS: readonly AgentEndpoint[] = [
  {
    path: `${O}/enroll`,
    family: 'osquery',
    valid: (ctx, rnd) => ({ enroll_secret: ctx.enrollSecret, host_identifier: fuzzHost(rnd), host_details: details('fuzz'), platform_type: '9' }),
    hostile: {
      'enroll-nul-identifier': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: 'nul\u0000host', host_details: details('nul') }),
      'enroll-surrogate-identifier': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: LONE_SURROGATE, host_details: details(LONE_SURROGATE) }),
      'enroll-proto-identifier': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: '__proto__', host_details: details('__proto__') }),
      'enroll-huge-identifier': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: 'h'.repeat(100_000), host_details: details('huge') }),
      'enroll-wrong-secret': (_ctx, rnd) => text({ enroll_secret: `nope-${rnd.int(0, 9)}`, host_identifier: 'x', host_details: {} }),
      'enroll-secret-wrong-type': () => text({ enroll_secret: ['a'], host_identifier: 'x' }),
      'enroll-identifier-wrong-type': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: { a: 1 }, host_details: [] }),
      'enroll-proto-details': (ctx) => `{"enroll_secret":${text(ctx.enrollSecret)},"host_identifier":"proto-details","host_details":{"__proto__":{"system_info":{"hostname":"p"}},"system_info":{"__proto__":{"hostname":"q"}}}}`,
      'enroll-deep-details': (ctx) => fillDeep({ enroll_secret: ctx.enrollSecret, host_identifier: 'deep-details', host_details: DEEP }, deepJson(10_000, 'object')),
      'enroll-details-wrong-types': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: 'typed', host_details: { system_info: 'x', os_version: [1], osquery_info: null } }),
      'enroll-platform-huge': (ctx) => text({ enroll_secret: ctx.enrollSecret, host_identifier: 'plat', platform_type: 1e400 }).replace('null', '1e400'),
    },
  },
  { path: `${O}/config`, family: 'osquery', valid: (ctx) => ({ node_key: ctx.nodeKey }), hostile: NODE_KEY_HOSTILE },
  { path: `${O}/distributed/read`, family: 'osquery', valid: (ctx) => ({ node_key: ctx.nodeKey }), hostile: NODE_KEY_HOSTILE },
  {
    path: `${O}/distributed/write`,
    family: 'osquery',
    valid: (ctx) => ({ node_key: ctx.nodeKey, queries: { fleet_detail_query_osquery_info: [{ version: '5.12.1' }] }, statuses: { fleet_detail_query_osquery_info: 0 }, messages: {}, stats: {} }),
    hostile: { ...writeHostile(), ...NODE_KEY_HOSTILE },
  },
  {
    path: `${O}/log`,
    family: 'osquery',
    valid: (ctx) => ({ node_key: ctx.nodeKey, log_type: 'result', data: [logLine(ctx)] }),
    hostile: {
      'log-deep-3000': (ctx) => fillDeep({ node_key: ctx.nodeKey, log_type: 'result', data: [DEEP] }, deepJson(3_000, 'object')),
      'log-deep-10000': (ctx) => fillDeep({ node_key: ctx.nodeKey, log_type: 'result', data: [DEEP] }, deepJson(10_000, 'array')),
      'log-deep-columns': (ctx) => fillDeep({ node_key: ctx.nodeKey, log_type: 'result', data: [{ ...logLine(ctx), columns: DEEP }] }, deepJson(10_000, 'object')),
      'log-unknown-type': (ctx) => text({ node_key: ctx.nodeKey, log_type: 'nope', data: [] }),
      'log-type-wrong': (ctx) => text({ node_key: ctx.nodeKey, log_type: 7, data: {} }),
      'log-data-not-array': (ctx) => text({ node_key: ctx.nodeKey, log_type: 'status', data: 'line' }),
      'log-lines-wrong-types': (ctx) => text({ node_key: ctx.nodeKey, log_type: 'result', data: [null, 1, 'x', [], { name: 5 }] }),
      'log-proto-line': (ctx) => `{"node_key":${text(ctx.nodeKey)},"log_type":"result","data":[{"__proto__":{"name":"x"},"name":"constructor","columns":{"__proto__":1}}]}`,
      'log-surrogate-line': (ctx) => text({ node_key: ctx.nodeKey, log_type: 'status', data: [{ message: LONE_SURROGATE, severity: 0 }] }),
      'log-many-lines': (ctx) => text({ node_key: ctx.nodeKey, log_type: 'result', data: Array.from({ length: 2_000 }, () => logLine(ctx)) }),
      ...NODE_KEY_HOSTILE,
    },
  },
  {
    path: '/api/v1/shells',
    family: 'launcher',
    valid: (ctx) => ({ node_key: ctx.nodeKey }),
    hostile: { ...NODE_KEY_HOSTILE, 'poll-deep': () => fillDeep({ node_key: DEEP }, deepJson(10_000, 'array')) },
  },
];

const AGENT_PATHS = [`${O}/%ff`, `${O}/%`, `${O}/enroll%00`, `${O}/distributed/%2e%2e/read`, `${O}/__proto__`, `${O}/constructor`, `${O}/hasOwnProperty`, `${O}/toString`, `${O}/config?x=%ff`, `${O}/`, `${O}/log/`, `${O}/${'n'.repeat(10_240)}`];
const GENERIC = Object.keys(BODY_MUTATIONS).filter((name) => name !== 'valid' && name !== 'over-limit');

function agentCase(endpoint: AgentEndpoint, mutation: string, ctx: FuzzContext, rnd: SeededRandom): NewCase {
  const route = `POST ${endpoint.path}`;
  const base: Draft = { method: 'POST', path: endpoint.path, headers: {} };
  const valid = endpoint.valid(ctx, rnd);
  let draft: Draft;
  if (mutation === 'valid') draft = BODY_MUTATIONS.valid(base, valid, rnd, AGENT_BODY_LIMIT);
  else if (mutation === 'over-limit') draft = { ...base, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ node_key: ctx.nodeKey, pad: 'x'.repeat(AGENT_BODY_LIMIT + 1) })) };
  else if (mutation.startsWith('method:')) draft = { ...base, method: mutation.slice(7), body: undefined };
  else if (endpoint.hostile[mutation]) draft = { ...base, headers: { 'content-type': 'application/json' }, body: Buffer.from(endpoint.hostile[mutation](ctx, rnd)) };
  else draft = BODY_MUTATIONS[mutation](base, valid, rnd, AGENT_BODY_LIMIT);
  return { kind: 'http', route, mutation, family: endpoint.family, ...draft };
}

const mutationsOf = (endpoint: AgentEndpoint) => ['valid', 'over-limit', 'method:GET', 'method:DELETE', ...Object.keys(endpoint.hostile), ...GENERIC];

/** Every endpoint × every mutation once, and every odd agent path with GET and POST. */
export function systematicAgentCases(ctx: FuzzContext, rnd: SeededRandom): NewCase[] {
  const cases: NewCase[] = [];
  for (const endpoint of ENDPOINTS) for (const mutation of mutationsOf(endpoint)) cases.push(agentCase(endpoint, mutation, ctx, rnd));
  for (const path of AGENT_PATHS) {
    for (const method of ['GET', 'POST']) {
      cases.push({ kind: 'http', route: `${method} ${O}/*`, mutation: 'unknown-endpoint', family: 'osquery', method, path, headers: {}, body: method === 'POST' ? Buffer.from(JSON.stringify({ node_key: ctx.nodeKey })) : undefined });
    }
  }
  return cases;
}

export function randomAgentCase(ctx: FuzzContext, rnd: SeededRandom): NewCase {
  const endpoint = rnd.pick(ENDPOINTS);
  return agentCase(endpoint, rnd.pick(mutationsOf(endpoint)), ctx, rnd);
}
