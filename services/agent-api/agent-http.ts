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
import { DomainError } from '../../shared/domain/errors';
import { AgentRequestError, badRequest } from './agent-errors';
import type { AgentService, Body } from './agent-service';

const PREFIX = '/api/v1/osquery/';
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

type Operation = (agent: AgentService, body: Body) => Promise<object> | object;

/** By path; a Map, so no path can name an Object.prototype member. */
const OPERATIONS = new Map<string, Operation>([
  ['enroll', (agent, body) => agent.enroll(body)],
  ['config', async (agent, body) => agent.config(await agent.authenticate(body))],
  ['distributed/read', async (agent, body) => agent.distributedRead(await agent.authenticate(body))],
  ['distributed/write', async (agent, body) => agent.distributedWrite(await agent.authenticate(body), body)],
  ['log', async (agent, body) => agent.log(await agent.authenticate(body), body)],
]);

export interface AgentHttpOptions {
  bodyLimitBytes: number;
  metrics: Metrics;
  onError(error: unknown): void;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(new AgentRequestError(413, `request body larger than ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AgentRequestError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function decode(raw: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  if (!encoding || encoding === 'identity') return raw;
  try {
    if (encoding === 'gzip') return await gunzipAsync(raw, { maxOutputLength: limit });
    if (encoding === 'deflate') return await inflateAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new AgentRequestError(413, `request body larger than ${limit} bytes`);
    throw badRequest(`request body is not valid ${encoding} data`);
  }
  throw new AgentRequestError(415, `unsupported content encoding "${encoding}"`);
}

function send(res: ServerResponse, status: number, body: object): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** Returns a handler that serves the request and answers true when it is an osquery API path. */
/** What a request's answer tells of it, for `logbook_osquery_requests_total`. */
function outcomeOf(status: number, body: object): string {
  if (status === 200) return 'ok';
  if ((body as { node_invalid?: unknown }).node_invalid === true) return 'node_invalid';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'refused' : 'error';
}

export function createAgentHttpHandler(agent: AgentService, options: AgentHttpOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const requests = options.metrics.counter<'endpoint' | 'outcome'>({
    name: 'logbook_osquery_requests_total',
    help: 'Requests of osquery hosts (enroll, config, distributed/read and write, log: check-ins) by endpoint and outcome: ok, node_invalid, refused (4xx), unavailable (503: storage or bus), error',
    labelNames: ['endpoint', 'outcome'],
  });
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return false;
    const started = performance.now();
    const path = url.slice(PREFIX.length).split('?')[0];
    const operation = OPERATIONS.get(path);
    const route = operation ? PREFIX + path : `${PREFIX}*`;
    const finish = (status: number, body: object) => {
      send(res, status, body);
      requests.inc({ endpoint: operation ? path : 'unknown', outcome: outcomeOf(status, body) });
      options.metrics.observeHttpRequest({ method: req.method ?? 'GET', route, statusCode: status, durationSeconds: (performance.now() - started) / 1000 });
    };
    if (!operation) {
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
    readBody(req, options.bodyLimitBytes)
      .then((raw) => decode(raw, req.headers['content-encoding'], options.bodyLimitBytes))
      .then((raw) => operation(agent, parseAgentBody(raw)))
      .then(
        (answer) => finish(200, answer),
        (error: unknown) => {
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
        },
      );
    return true;
  };
}
