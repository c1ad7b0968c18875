/**
 * Fleet serves every `/api/v1/...` route at `/api/latest/...` too (current fleetctl calls only
 * `/api/latest`). Logbook does it with one rewrite, not with duplicated routes: before any
 * listener of the server sees a request or an upgrade, a path under `/api/latest` is rewritten to
 * the same path under `/api/v1`. Every handler behind it (the lean osquery handler, the launcher
 * poll, SockJS, the upgrade router's sockets, Express) then serves both prefixes alike.
 *
 * Invariants: only the whole `latest` segment is rewritten (`/api/latestx` is left alone); the
 * query string is kept; the rewrite runs first whatever order listeners were added or re-added
 * in (sockjs re-orders the 'request' listeners), because it wraps the server's `emit`.
 */
import type { IncomingMessage, Server } from 'node:http';

const LATEST = '/api/latest';
const V1 = '/api/v1';

/** The request path under /api/v1 when it names /api/latest, else the path as given. */
export function latestAsV1(url: string): string {
  if (!url.startsWith(LATEST)) return url;
  const next = url.charAt(LATEST.length);
  if (next !== '' && next !== '/' && next !== '?') return url;
  return V1 + url.slice(LATEST.length);
}

const installed = new WeakSet<Server>();

/** Makes the server see `/api/latest/...` requests and upgrades as `/api/v1/...`; idempotent. */
export function serveLatestAsV1(server: Server): void {
  if (installed.has(server)) return;
  installed.add(server);
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'request' || event === 'upgrade') {
      const req = args[0] as IncomingMessage;
      if (req.url !== undefined) req.url = latestAsV1(req.url);
    }
    return emit(event, ...args);
  }) as Server['emit'];
}
