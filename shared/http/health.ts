/**
 * /healthz for every service, from a list of named checks:
 * - 200 `{"status": "ok"}` when every check passes;
 * - 503 `{"status": "unavailable", "reason": ...}` when a check fails, with the reason of the
 *   FIRST failing check in list order (so list the most telling check first);
 * - 200 `{"status": "degraded", "reason": ...}` when only checks marked `degrades` fail: the
 *   service answers (say, one read model is incomplete), so a load balancer keeps routing to it,
 *   and monitors read `status`.
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
import { startupHealthy } from '../observability/startup-phases';

export interface HealthCheck {
  /** Names the check in reasons built from a thrown error, e.g. "read store". */
  name: string;
  check(): string | null | void | Promise<string | null | void>;
  /** A failure of this check degrades the service (200 `degraded`) instead of stopping it (503). */
  degrades?: boolean;
}

export type HealthBody = { status: 'ok' } | { status: 'unavailable' | 'degraded'; reason: string };

export interface HealthAnswer {
  statusCode: 200 | 503;
  body: HealthBody;
}

/** Runs every check; never rejects. */
export async function checkHealth(checks: readonly HealthCheck[]): Promise<HealthAnswer> {
  const reasons = await Promise.all(checks.map(reasonOf));
  const failing = (degrades: boolean) => reasons.find((found, index): found is string => found !== null && (checks[index].degrades === true) === degrades);
  const unavailable = failing(false);
  if (unavailable !== undefined) return { statusCode: 503, body: { status: 'unavailable', reason: unavailable } };
  const degraded = failing(true);
  if (degraded !== undefined) return { statusCode: 200, body: { status: 'degraded', reason: degraded } };
  return { statusCode: 200, body: { status: 'ok' } };
}

export function healthzHandler(checks: readonly HealthCheck[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    void checkHealth(checks).then(({ statusCode, body }) => {
      if (statusCode === 200) startupHealthy();
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

/**
 * /livez, the liveness probe: 200 `{"status": "alive"}` whenever the process can answer at all,
 * whatever its dependencies. An orchestrator restarts on it; it routes traffic on /healthz. During a
 * Kafka outage /healthz is 503 while hosts still check in, and a restart would only make it worse.
 */
export function livezHandler(): (req: IncomingMessage, res: ServerResponse) => void {
  const text = JSON.stringify({ status: 'alive' });
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}
