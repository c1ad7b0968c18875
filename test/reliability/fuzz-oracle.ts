/**
 * What every answer must satisfy, whatever was sent:
 * - no status ≥ 500, except a 503 whose documented-shape body says a store is at fault;
 * - no WebSocket closed with 1011 (the socket's "internal error");
 * - an answer at all, in time (no reset, no hang) for plain HTTP;
 * - every error body in its route's documented shape: Fleet's {"message", "errors": [{"name",
 *   "reason"}]} on /api/v1/fleet/* and /api/v1/setup, {"error": "..."} on /api/v1/osquery/* and
 *   on POSTs to the launcher poll;
 * - every upgrade request answered (101 or a refusal) within a few seconds;
 * - nothing outside the console's directories served under /console/.
 */
import type { FuzzCase, Outcome } from './fuzz-case';

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function isFleetError(body: unknown): body is { message: string; errors: Array<{ name: string; reason: string }> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  return typeof message === 'string' && Array.isArray(errors) && errors.length > 0 && errors.every((e) => e !== null && typeof e === 'object' && typeof e.name === 'string' && typeof e.reason === 'string');
}

export function isAgentError(body: unknown): body is { error: string } {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && typeof (body as { error?: unknown }).error === 'string';
}

/**
 * The one 5xx allowed: a 503 in the route's documented shape whose text names a store
 * (the result store, the read store, the event store, storage) as what is not working.
 */
export function isStorageFault(c: FuzzCase, o: Outcome): boolean {
  if (o.status !== 503) return false;
  const body = parse(o.body);
  const text = isFleetError(body) ? [body.message, ...body.errors.map((e) => e.reason)].join(' ') : isAgentError(body) ? body.error : null;
  return text !== null && (c.family === 'fleet' || c.family === 'osquery' || c.family === 'launcher') && /\b(result store|read store|event store|storage)\b/i.test(text);
}

const LEAKS: ReadonlyArray<[RegExp, string]> = [
  [/root:[^:]*:0:0:/, '/etc/passwd served'],
  [/"name":\s*"logbook"/, "Logbook's own package.json served"],
];

/** Null when the answer is acceptable, else why not (short, for grouping). */
export function verdict(c: FuzzCase, o: Outcome): string | null {
  if (o.error?.startsWith('not sent')) return `fuzzer bug: ${o.error}`;
  if (o.status === null) {
    // A garbage handshake may be cut off without an answer; an HTTP request must be answered.
    if (c.kind === 'socket') return /no answer within/.test(o.error ?? '') ? 'upgrade never answered (timeout)' : null;
    return /no answer within/.test(o.error ?? '') ? 'no answer (timeout)' : `no answer (${o.error ?? 'closed'})`;
  }
  if (o.status >= 500 && !isStorageFault(c, o)) return `${o.status}`;
  if (o.closeCode === 1011) return 'ws closed 1011';
  if (c.family === 'console') for (const [pattern, what] of LEAKS) if (pattern.test(o.body)) return what;
  // 431: Node's HTTP parser refuses over-long headers before any route runs, with no body.
  if (o.status >= 400 && o.status !== 431 && c.method !== 'HEAD' && c.kind === 'http') {
    const body = parse(o.body);
    if (c.family === 'fleet' && !isFleetError(body)) return `${o.status} not in Fleet's error shape`;
    // The launcher poll is POST only; other methods fall through to the operator API's 404.
    const agentShaped = c.family === 'osquery' || (c.family === 'launcher' && c.method === 'POST');
    if (agentShaped && !isAgentError(body)) return `${o.status} not in {"error"} shape`;
  }
  return null;
}
