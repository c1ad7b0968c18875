/**
 * /healthz for every service, from a list of named checks:
 * - 200 `{"status": "ok"}` when every check passes;
 * - 503 `{"status": "unavailable", "reason": ...}` otherwise, with the reason of the FIRST failing
 *   check in list order (so list the most telling check first).
 *
 * A check passes by returning (or resolving to) null or nothing; it fails by returning a reason,
 * which is reported as is, or by throwing or rejecting, which is reported as `<name>: <message>`
 * (so a ping check is just `{ name: 'read store', check: () => readStore.ping() }`). All checks
 * run at once, so the answer takes as long as the slowest, not their sum.
 *
 * The handler takes node:http's request and response, so it serves both an Express route
 * (`app.get('/healthz', healthzHandler(checks))`) and a plain node:http listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HealthCheck {
  /** Names the check in reasons built from a thrown error, e.g. "read store". */
  name: string;
  check(): string | null | void | Promise<string | null | void>;
}

export type HealthBody = { status: 'ok' } | { status: 'unavailable'; reason: string };

export interface HealthAnswer {
  statusCode: 200 | 503;
  body: HealthBody;
}

/** Runs every check; never rejects. */
export async function checkHealth(checks: readonly HealthCheck[]): Promise<HealthAnswer> {
  const reasons = await Promise.all(checks.map(reasonOf));
  const reason = reasons.find((found): found is string => found !== null);
  return reason === undefined
    ? { statusCode: 200, body: { status: 'ok' } }
    : { statusCode: 503, body: { status: 'unavailable', reason } };
}

export function healthzHandler(checks: readonly HealthCheck[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    void checkHealth(checks).then(({ statusCode, body }) => {
      const text = JSON.stringify(body);
      res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  };
}

async function reasonOf(health: HealthCheck): Promise<string | null> {
  try {
    return (await health.check()) ?? null;
  } catch (error) {
    return `${health.name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
