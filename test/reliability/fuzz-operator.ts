/** Operator-route cases: every route × every applicable mutation × credentials, from a seed. */
import type { SeededRandom } from '../../services/host-simulator/seeded-random';
import type { FuzzContext, HttpCase } from './fuzz-case';
import { authorization, BODY_MUTATIONS, CREDENTIALS, type Credential, type Draft, PATH_MUTATIONS, pathParts, QUERY_GARBAGE } from './fuzz-http-mutations';
import { OPERATOR_BODY_LIMIT } from './fuzz-limits';
import { CONSOLE_TRAVERSALS, OPERATOR_ROUTES, type OperatorRoute } from './fuzz-operator-routes';

type NewCase = Omit<HttpCase, 'id'>;

/** The mutations that apply to a route, by name. */
export function mutationsFor(route: OperatorRoute): string[] {
  const names = ['valid', ...Object.keys(PATH_MUTATIONS).map((name) => `path:${name}`), 'method:DELETE', 'method:PUT', `method:${route.method === 'GET' ? 'POST' : 'GET'}`];
  if (route.method === 'POST' || route.method === 'PATCH') names.push(...Object.keys(BODY_MUTATIONS).filter((name) => name !== 'valid').map((name) => `body:${name}`));
  if (route.query) names.push('query:garbage');
  return names;
}

function credentialFor(route: OperatorRoute, credential: Credential, ctx: FuzzContext, rnd: SeededRandom): Record<string, string> {
  // A valid token on logout ends that session: use one of the disposable ones.
  if (route.logsOut && ['admin', 'maintainer', 'observer'].includes(credential)) {
    return { authorization: `Bearer ${ctx.disposableTokens[rnd.int(0, ctx.disposableTokens.length - 1)]}` };
  }
  return authorization(credential, ctx.tokens, ctx.nodeKey, rnd);
}

/** Builds one case: the route's valid request, mutated by `mutation`, sent with `credential`. */
export function operatorCase(route: OperatorRoute, mutation: string, credential: Credential, ctx: FuzzContext, rnd: SeededRandom): NewCase {
  const headers: Record<string, string> = { ...credentialFor(route, credential, ctx, rnd), ...(route.accept ? { accept: route.accept } : {}) };
  let draft: Draft = { method: route.method, path: route.path(ctx, rnd), headers };
  const valid = route.body?.(ctx, rnd);
  if (route.method === 'POST' || route.method === 'PATCH') draft = BODY_MUTATIONS.valid(draft, valid, rnd, OPERATOR_BODY_LIMIT);
  const [kind, name] = mutation.includes(':') ? (mutation.split(/:(.*)/s) as [string, string]) : ['valid', 'valid'];
  if (kind === 'body') draft = BODY_MUTATIONS[name]({ ...draft, body: undefined }, valid, rnd, OPERATOR_BODY_LIMIT, route.deepBody?.(ctx));
  if (kind === 'path') {
    const { segments, query, index } = pathParts(draft.path, route.template);
    draft = { ...draft, path: PATH_MUTATIONS[name](segments, index).join('/') + (query ? `?${query}` : '') };
  }
  if (kind === 'method') draft = { ...draft, method: name, body: name === 'GET' ? undefined : draft.body ?? Buffer.from('{}') };
  if (kind === 'query') {
    const param = rnd.pick(route.query ?? ['page']);
    const bare = draft.path.split('?')[0];
    draft = { ...draft, path: `${bare}?${param}${rnd.pick(QUERY_GARBAGE)}&${rnd.pick(route.query ?? ['page'])}${rnd.pick(QUERY_GARBAGE)}` };
  }
  return { kind: 'http', route: `${route.method} ${route.template}`, mutation: `${mutation} [${credential}]`, family: route.family, ...draft };
}

/**
 * Systematic part: every route × mutation once (admin credentials for body mutations, so that
 * validation is reached; a random credential otherwise), every route × credential with its valid
 * request, and every console traversal with each method.
 */
export function systematicOperatorCases(ctx: FuzzContext, rnd: SeededRandom): NewCase[] {
  const cases: NewCase[] = [];
  for (const route of OPERATOR_ROUTES) {
    for (const mutation of mutationsFor(route)) {
      const credential: Credential = mutation.startsWith('body:') || mutation === 'valid' ? 'admin' : rnd.pick(CREDENTIALS);
      cases.push(operatorCase(route, mutation, credential, ctx, rnd));
    }
    for (const credential of CREDENTIALS) cases.push(operatorCase(route, 'valid', credential, ctx, rnd));
  }
  for (const path of CONSOLE_TRAVERSALS) {
    for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
      cases.push({ kind: 'http', route: 'GET /console/:file', mutation: `traversal ${method}`, family: 'console', method, path, headers: {} });
    }
  }
  return cases;
}

/** Random part: a route, a mutation and a credential drawn at random. */
export function randomOperatorCase(ctx: FuzzContext, rnd: SeededRandom): NewCase {
  const route = rnd.pick(OPERATOR_ROUTES);
  return operatorCase(route, rnd.pick(mutationsFor(route)), rnd.pick(CREDENTIALS), ctx, rnd);
}
