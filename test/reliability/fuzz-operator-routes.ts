/**
 * Every operator route the README lists (plus the public ones and the console), with a valid
 * request for each: the fuzzer starts from these and mutates them.
 */
import type { SeededRandom } from '../../services/host-simulator/seeded-random';
import type { Family, FuzzContext } from './fuzz-case';
import { DEEP } from './fuzz-values';

export interface OperatorRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path with its parameters named, e.g. /api/v1/fleet/spec/:kind/:name. */
  template: string;
  family: Family;
  /** A valid path (parameters filled from the context). */
  path(ctx: FuzzContext, rnd: SeededRandom): string;
  /** A valid body (POST and PATCH routes). */
  body?(ctx: FuzzContext, rnd: SeededRandom): unknown;
  /** A body with `DEEP` where deeply nested JSON is accepted by the schema (e.g. agent_options). */
  deepBody?(ctx: FuzzContext): unknown;
  /** Query parameters the route reads. */
  query?: readonly string[];
  accept?: string;
  /** Route that ends the caller's session: valid tokens come from the disposable pool. */
  logsOut?: boolean;
}

const F = '/api/v1/fleet';
const KINDS = ['queries', 'packs', 'labels', 'policies', 'teams'] as const;
const word = (rnd: SeededRandom) => `fuzz-${rnd.int(0, 1_000_000).toString(36)}`;

const specBodies: Record<'queries' | 'packs' | 'labels' | 'policies' | 'teams', (ctx: FuzzContext, rnd: SeededRandom) => unknown> = {
  queries: (_ctx, rnd) => ({ specs: [{ name: word(rnd), description: 'fuzzed', query: 'SELECT * FROM osquery_info' }] }),
  packs: (ctx, rnd) => ({ specs: [{ name: word(rnd), targets: { labels: ['All Hosts'] }, queries: [{ query: ctx.specNames.queries, name: 'q', interval: 60 }] }] }),
  labels: (_ctx, rnd) => ({ specs: [{ name: word(rnd), query: "select 1 from os_version where platform = 'darwin';", label_membership_type: 'dynamic' }] }),
  policies: (_ctx, rnd) => ({ specs: [{ name: word(rnd), query: 'SELECT 1', resolution: 'none' }] }),
  teams: (_ctx, rnd) => ({ specs: [{ name: word(rnd), agent_options: { config: { options: { distributed_interval: 10 } } } }] }),
};

function specRoutes(): OperatorRoute[] {
  const routes: OperatorRoute[] = [];
  for (const kind of KINDS) {
    if (kind !== 'teams') routes.push({ method: 'GET', template: `${F}/spec/${kind}`, family: 'fleet', path: () => `${F}/spec/${kind}` });
    routes.push({ method: 'GET', template: `${F}/spec/${kind}/:name`, family: 'fleet', path: (ctx) => `${F}/spec/${kind}/${encodeURIComponent(ctx.specNames[kind])}` });
    routes.push({ method: 'GET', template: `${F}/spec/${kind}/:name/history`, family: 'fleet', path: (ctx) => `${F}/spec/${kind}/${encodeURIComponent(ctx.specNames[kind])}/history` });
    routes.push({
      method: 'POST',
      template: `${F}/spec/${kind}`,
      family: 'fleet',
      path: () => `${F}/spec/${kind}`,
      body: specBodies[kind],
      deepBody:
        kind === 'teams'
          ? () => ({ specs: [{ name: 'deep-team', agent_options: { config: { options: { x: DEEP } } } }] })
          : kind === 'packs'
            ? (ctx) => ({ specs: [{ name: 'deep-pack', targets: DEEP, queries: [{ query: ctx.specNames.queries, interval: 60 }] }] })
            : () => ({ specs: [{ name: 'deep', query: 'SELECT 1', description: DEEP }] }),
    });
  }
  routes.push({ method: 'GET', template: `${F}/spec/enroll_secret`, family: 'fleet', path: () => `${F}/spec/enroll_secret` });
  routes.push({
    method: 'POST',
    template: `${F}/spec/enroll_secret`,
    family: 'fleet',
    path: () => `${F}/spec/enroll_secret`,
    // Always keeps the fuzzer's own secret, so that its agent cases can still enroll.
    body: (ctx, rnd) => ({ spec: { secrets: [{ secret: ctx.enrollSecret }, { secret: word(rnd) }] } }),
    deepBody: (ctx) => ({ spec: { secrets: [{ secret: ctx.enrollSecret }, { secret: DEEP }] } }),
  });
  return routes;
}

function userRoutes(): OperatorRoute[] {
  return [
    { method: 'GET', template: '/api/v1/setup', family: 'fleet', path: () => '/api/v1/setup' },
    {
      method: 'POST',
      template: '/api/v1/setup',
      family: 'fleet',
      path: () => '/api/v1/setup',
      body: (_ctx, rnd) => ({ admin: { email: `${word(rnd)}@example.com`, password: 'correct-horse-1!', name: 'Eve' }, org_info: { org_name: 'Org' }, server_url: 'http://localhost' }),
      deepBody: () => ({ admin: { email: 'deep@example.com', password: 'correct-horse-1!', name: 'Eve' }, org_info: DEEP, server_url: 'http://localhost' }),
    },
    {
      method: 'POST',
      template: `${F}/login`,
      family: 'fleet',
      path: () => `${F}/login`,
      body: (ctx, rnd) => ({ email: ctx.adminEmail, password: rnd.chance(0.5) ? ctx.adminPassword : 'wrong-password-1!' }),
      deepBody: (ctx) => ({ email: ctx.adminEmail, password: DEEP }),
    },
    { method: 'POST', template: `${F}/logout`, family: 'fleet', path: () => `${F}/logout`, body: () => ({}), logsOut: true },
    { method: 'GET', template: `${F}/me`, family: 'fleet', path: () => `${F}/me` },
    { method: 'GET', template: `${F}/users`, family: 'fleet', path: () => `${F}/users` },
    {
      method: 'POST',
      template: `${F}/users/admin`,
      family: 'fleet',
      path: () => `${F}/users/admin`,
      body: (_ctx, rnd) => ({ name: 'Fuzzed', email: `${word(rnd)}@example.com`, password: 'another-secret-9$', global_role: rnd.pick(['admin', 'maintainer', 'observer']) }),
      deepBody: () => ({ name: DEEP, email: 'deep@example.com', password: 'another-secret-9$', global_role: 'observer' }),
    },
    // One user's routes aim at the fuzzer's own user (never a role token's): a DELETE, the
    // method mutation included, removes only them, and later cases get a 404.
    { method: 'GET', template: `${F}/users/:id`, family: 'fleet', path: (ctx) => `${F}/users/${ctx.fuzzUser.id}` },
    {
      method: 'PATCH',
      template: `${F}/users/:id`,
      family: 'fleet',
      path: (ctx) => `${F}/users/${ctx.fuzzUser.id}`,
      body: (_ctx, rnd) => ({ name: word(rnd), global_role: rnd.pick(['maintainer', 'observer']) }),
      deepBody: () => ({ name: DEEP, global_role: 'observer' }),
    },
    { method: 'DELETE', template: `${F}/users/:id`, family: 'fleet', path: (ctx) => `${F}/users/${ctx.fuzzUser.id}` },
    {
      method: 'POST',
      template: `${F}/users/roles/spec`,
      family: 'fleet',
      path: () => `${F}/users/roles/spec`,
      body: (ctx, rnd) => ({ spec: { roles: { [ctx.fuzzUser.email]: { global_role: rnd.pick(['maintainer', 'observer']), teams: null } } } }),
      deepBody: (ctx) => ({ spec: { roles: { [ctx.fuzzUser.email]: DEEP } } }),
    },
  ];
}

function hostAndCampaignRoutes(): OperatorRoute[] {
  const get = (template: string, path: (ctx: FuzzContext, rnd: SeededRandom) => string, extra: Partial<OperatorRoute> = {}): OperatorRoute => ({ method: 'GET', template, family: 'fleet', path, ...extra });
  return [
    get(`${F}/activities`, () => `${F}/activities?page=0&per_page=5`, { query: ['page', 'per_page'] }),
    get(`${F}/hosts`, () => `${F}/hosts?status=online&page=0&per_page=10`, { query: ['label_id', 'team_id', 'platform', 'status', 'query', 'page', 'per_page', 'order_key', 'order_direction'] }),
    get(`${F}/hosts/:id`, (ctx) => `${F}/hosts/${ctx.hostId}`),
    get(`${F}/labels/:id/hosts`, (ctx) => `${F}/labels/${ctx.labelId}/hosts`, { query: ['page', 'per_page'] }),
    get(`${F}/policies`, () => `${F}/policies`),
    get(`${F}/teams`, (ctx) => `${F}/teams?query=${encodeURIComponent(ctx.specNames.teams)}&page=0&per_page=10&order_key=name`, { query: ['page', 'per_page', 'order_key', 'order_direction', 'query'] }),
    get(`${F}/teams/:id`, (ctx) => `${F}/teams/${ctx.teamId}`),
    // Deletions by id aim at ids no spec has (404): the fuzz context's own specs stay for the other routes.
    {
      method: 'POST',
      template: `${F}/global/policies/delete`,
      family: 'fleet',
      path: () => `${F}/global/policies/delete`,
      body: (_ctx, rnd) => ({ ids: [rnd.int(1_000_000, 2_000_000)] }),
      deepBody: () => ({ ids: DEEP }),
    },
    { method: 'DELETE', template: `${F}/teams/:id`, family: 'fleet', path: (_ctx, rnd) => `${F}/teams/${rnd.int(1_000_000, 2_000_000)}` },
    get(`${F}/teams/:team_id/policies`, (ctx) => `${F}/teams/${ctx.teamId}/policies`),
    get(`${F}/teams/:team_id/policies/:policy_id`, (ctx, rnd) => `${F}/teams/${ctx.teamId}/policies/${rnd.int(1, 2_000_000)}`),
    {
      method: 'POST',
      template: `${F}/teams/:team_id/policies/delete`,
      family: 'fleet',
      path: (ctx) => `${F}/teams/${ctx.teamId}/policies/delete`,
      body: (_ctx, rnd) => ({ ids: [rnd.int(1_000_000, 2_000_000)] }),
      deepBody: () => ({ ids: DEEP }),
    },
    get(`${F}/queries`, () => `${F}/queries`),
    {
      method: 'POST',
      template: `${F}/queries/run`,
      family: 'fleet',
      path: () => `${F}/queries/run`,
      body: (ctx) => ({ query: 'SELECT 1', selected: { hosts: [ctx.hostId], labels: [], teams: [] } }),
      deepBody: () => ({ query: 'SELECT 1', selected: DEEP }),
    },
    {
      method: 'POST',
      template: `${F}/queries/run_by_names`,
      family: 'fleet',
      path: () => `${F}/queries/run_by_names`,
      body: (ctx) => ({ query: 'SELECT 1', selected: { hosts: [ctx.hostname], labels: ['All Hosts'] } }),
      deepBody: () => ({ query: 'SELECT 1', selected: { labels: DEEP } }),
    },
    get(`${F}/campaigns`, (ctx, rnd) => `${F}/campaigns?page=0&per_page=${rnd.int(1, 50)}${rnd.chance(0.5) ? `&host_id=${ctx.hostId}` : ''}`, { query: ['page', 'per_page', 'host_id'] }),
    get(`${F}/campaigns/:id`, (ctx) => `${F}/campaigns/${ctx.campaignId}`),
    get(`${F}/campaigns/:id/results`, (ctx) => `${F}/campaigns/${ctx.campaignId}/results?page=0&per_page=5`, { query: ['page', 'per_page'] }),
    get(`${F}/campaigns/:id/results (csv)`, (ctx) => `${F}/campaigns/${ctx.campaignId}/results`, { accept: 'text/csv', query: ['page', 'per_page'] }),
    { method: 'POST', template: `${F}/campaigns/:id/stop`, family: 'fleet', path: (ctx) => `${F}/campaigns/${ctx.campaignId}/stop`, body: () => ({}) },
    get(`${F}/status/live_query`, () => `${F}/status/live_query`),
    get(`${F}/status/result_store`, () => `${F}/status/result_store`),
    { method: 'POST', template: `${F}/hosts/:id/shells`, family: 'fleet', path: (ctx) => `${F}/hosts/${ctx.hostId}/shells`, body: () => ({}) },
    get(`${F}/shells`, () => `${F}/shells`),
    get(`${F}/shells/hosts`, () => `${F}/shells/hosts`),
    get(`${F}/config/certificate`, () => `${F}/config/certificate`),
    get(`${F}/osquery/flagfile`, () => `${F}/osquery/flagfile?tls_hostname=logbook.example:8443`, { query: ['tls_hostname', 'tls_server_certs', 'enroll_secret_path'] }),
  ];
}

function otherRoutes(): OperatorRoute[] {
  return [
    { method: 'GET', template: '/healthz', family: 'other', path: () => '/healthz' },
    { method: 'GET', template: '/livez', family: 'other', path: () => '/livez' },
    { method: 'GET', template: '/metrics', family: 'other', path: () => '/metrics' },
    { method: 'GET', template: '/', family: 'console', path: () => '/' },
    { method: 'GET', template: '/:section/:rest', family: 'console', path: (_ctx, rnd) => `/${rnd.pick(['hosts', 'specs/queries', 'campaigns', 'shells', 'nope'])}/${word(rnd)}` },
    { method: 'GET', template: '/assets/:file', family: 'console', path: (_ctx, rnd) => `/assets/${rnd.pick(['index.js', 'favicon.ico', 'nope.css', '..%2f..%2fpackage.json'])}` },
    { method: 'GET', template: '/console/', family: 'console', path: () => '/console/' },
    { method: 'GET', template: `${F}/no/such/route`, family: 'fleet', path: () => `${F}/no/such/route` },
    { method: 'GET', template: '/api/v1/unknown', family: 'other', path: () => '/api/v1/unknown' },
  ];
}

export const OPERATOR_ROUTES: readonly OperatorRoute[] = [...userRoutes(), ...specRoutes(), ...hostAndCampaignRoutes(), ...otherRoutes()];

/** Requests that must be answered by the console without leaking files outside it, and not with a 5xx. */
export const CONSOLE_TRAVERSALS: readonly string[] = [
  '/console/../../etc/passwd',
  '/console/%2e%2e/',
  '/console/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/console/..%2f..%2f..%2fetc%2fpasswd',
  '/console/%2e%2e%2f%2e%2e%2fpackage.json',
  '/console/vendor/xterm/../../../../etc/passwd',
  '/console/vendor/xterm/%2e%2e/%2e%2e/package.json',
  '/console/favicon.ico',
  '/assets/../../package.json',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/assets/..%2f..%2f..%2fetc%2fpasswd',
  '/hosts/..%2f..%2f..%2fpackage.json',
  '/specs/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/assets/%ff',
  '/console/%ff',
  '/console/%',
  '/console/%00',
  '/console/index.html%00.js',
  '/console/..',
  '/console//etc/passwd',
  '/console/%5c..%5c..%5cetc%5cpasswd',
  '/console/vendor/',
  '/console/vendor/addon-fit/%ff',
];
