/**
 * The osquery TLS API over HTTP, as a lean request handler that sits in front of the operator
 * API's Express app on the same server: check-ins are the hottest path and must not pay for
 * Express's middleware. Answers JSON; errors as `{"error", "node_invalid"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Metrics } from '../../shared/observability/metrics';
import { parseAgentBody } from './agent-body';
import { serializedAnswer } from './constant-answers';
import { DomainError } from '../../shared/domain/errors';
import { AgentRequestError, badRequest } from './agent-errors';
import type { AgentService, Body } from './agent-service';

const PREFIX = '/api/v1/osquery/';
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

type Answer = object | Promise<object>;
type Operation = (agent: AgentService, body: Body) => Answer;

/**
 * `next(value)`: at once when `value` is no promise, else once it settles. A check-in by a host
 * the view knows is then served within the request's 'end' event, with no promise made.
 */
function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

interface Endpoint {
  /** The route metrics name it by. */
  route: string;
  run: Operation;
}

const endpoint = (path: string, run: Operation): [string, Endpoint] => [path, { route: PREFIX + path, run }];

/** By path; a Map, so no path can name an Object.prototype member. */
const ENDPOINTS = new Map<string, Endpoint>([
  endpoint('enroll', (agent, body) => agent.enroll(body)),
  endpoint('config', (agent, body) => andThen(agent.authenticate(body), (host) => agent.config(host))),
  endpoint('distributed/read', (agent, body) => andThen(agent.authenticate(body), (host) => agent.distributedRead(host))),
  endpoint('distributed/write', (agent, body) => andThen(agent.authenticate(body), (host) => agent.distributedWrite(host, body))),
  endpoint('log', (agent, body) => andThen(agent.authenticate(body), (host) => agent.log(host, body))),
]);

export interface AgentHttpOptions {
  bodyLimitBytes: number;
  metrics: Metrics;
  onError(error: unknown): void;
}

const tooLarge = (limit: number) => new AgentRequestError(413, `request body larger than ${limit} bytes`);

/**
 * Reads the body and calls `done` exactly once: with the body, with a 413 as soon as it is
 * declared or found larger than `limit` (the rest is then read and dropped), or with the stream's error.
 */
function readBody(req: IncomingMessage, limit: number, done: (error: unknown, raw?: Buffer) => void): void {
  if (Number(req.headers['content-length']) > limit) return done(tooLarge(limit));
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error: unknown, raw?: Buffer) => {
    if (settled) return;
    settled = true;
    done(error, raw);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.removeAllListeners('data');
      req.resume();
      settle(tooLarge(limit));
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => settle(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  req.on('error', (error) => settle(error));
}

/** The body as sent, at once; decompressed (bounded by `limit`) by a promise. */
function decode(raw: Buffer, encoding: string | undefined, limit: number): Buffer | Promise<Buffer> {
  if (!encoding || encoding === 'identity') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate') throw new AgentRequestError(415, `unsupported content encoding "${encoding}"`);
  const inflated = encoding === 'gzip' ? gunzipAsync(raw, { maxOutputLength: limit }) : inflateAsync(raw, { maxOutputLength: limit });
  return inflated.catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw badRequest(`request body is not valid ${encoding} data`);
  });
}

function send(res: ServerResponse, status: number, body: object): void {
  const json = serializedAnswer(body) ?? JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** What a request's answer tells of it, for `logbook_osquery_requests_total`. */
function outcomeOf(status: number, body: object): string {
  if (status === 200) return 'ok';
  if ((body as { node_invalid?: unknown }).node_invalid === true) return 'node_invalid';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'refused' : 'error';
}

/**
 * `logbook_osquery_requests_total`, counted in plain numbers by endpoint and outcome (an add per
 * request, no label hashing) and handed to prom-client when /metrics is scraped.
 */
function requestCounter(metrics: Metrics): (endpointName: string, outcome: string) => void {
  const counts = new Map<string, Map<string, { total: number; reported: number }>>();
  metrics.counter<'endpoint' | 'outcome'>({
    name: 'logbook_osquery_requests_total',
    help: 'Requests of osquery hosts (enroll, config, distributed/read and write, log: check-ins) by endpoint and outcome: ok, node_invalid, refused (4xx), unavailable (503: storage or bus), error',
    labelNames: ['endpoint', 'outcome'],
    collect() {
      for (const [endpointName, byOutcome] of counts) {
        for (const [outcome, count] of byOutcome) {
          if (count.total > count.reported) this.labels(endpointName, outcome).inc(count.total - count.reported);
          count.reported = count.total;
        }
      }
    },
  });
  return (endpointName, outcome) => {
    let byOutcome = counts.get(endpointName);
    if (!byOutcome) counts.set(endpointName, (byOutcome = new Map()));
    const count = byOutcome.get(outcome);
    if (count) count.total++;
    else byOutcome.set(outcome, { total: 1, reported: 0 });
  };
}

/** Returns a handler that serves the request and answers true when it is an osquery API path. */
export function createAgentHttpHandler(agent: AgentService, options: AgentHttpOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const postDurations = new Map([...ENDPOINTS.values()].map((found) => [found, options.metrics.httpRoute('POST', found.route)]));
  const countRequest = requestCounter(options.metrics);
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return false;
    const started = performance.now();
    const query = url.indexOf('?');
    const path = url.slice(PREFIX.length, query === -1 ? undefined : query);
    const found = ENDPOINTS.get(path);
    const durations = found && req.method === 'POST' ? postDurations.get(found)! : options.metrics.httpRoute(req.method ?? 'GET', found?.route ?? `${PREFIX}*`);
    const finish = (status: number, body: object) => {
      send(res, status, body);
      durations.observe(status, (performance.now() - started) / 1000);
      countRequest(found ? path : 'unknown', outcomeOf(status, body));
    };
    const fail = (error: unknown) => {
      if (error instanceof AgentRequestError) {
        finish(error.status, { error: error.message, node_invalid: error.nodeInvalid });
      } else if (error instanceof DomainError && error.kind === 'unavailable') {
        // A full disk (StorageUnavailableError), a results bus that is down or did not
        // acknowledge in time (BusUnavailableError): osquery retries later.
        finish(503, { error: error.message, node_invalid: false });
      } else {
        options.onError(error);
        finish(500, { error: 'internal error', node_invalid: false });
      }
    };
    if (!found) {
      req.resume();
      finish(404, { error: `unknown osquery API endpoint ${PREFIX}${path}` });
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      finish(405, { error: `${req.method} not allowed: use POST` });
      return true;
    }
    readBody(req, options.bodyLimitBytes, (error, raw) => {
      if (error) return fail(error);
      let answer: Answer;
      try {
        answer = andThen(decode(raw!, req.headers['content-encoding'], options.bodyLimitBytes), (text) => found.run(agent, parseAgentBody(text)));
      } catch (thrown) {
        return fail(thrown);
      }
      if (answer instanceof Promise) answer.then((body) => finish(200, body), fail);
      else finish(200, answer);
    });
    return true;
  };
}
