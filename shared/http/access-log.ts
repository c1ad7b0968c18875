/**
 * The optional access log (ACCESS_LOG=true): one info line per HTTP request once its answer is
 * sent or its connection closed, `{"access": {method, path, status, ms, bytes, client}}`.
 *
 * Invariant: no secret is written. The query string is dropped whole (Socket.IO and some
 * clients put tokens there), no header is logged (Authorization, cookies), bodies (node keys,
 * enroll secrets, passwords) are never read; paths are cut at MAX_PATH characters.
 *
 * It listens to the server's 'request' event beside the real handler, so it sees every request,
 * TLS ones too (listenTls hands them to the same server), without wrapping any handler.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger';

const MAX_PATH = 200;

export interface AccessEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The Content-Length set on the response, when it was set with setHeader (null otherwise). */
  bytes: number | null;
  client: string | null;
  /** The client went away before the answer was complete. */
  aborted?: true;
}

export function accessEntry(req: IncomingMessage, res: ServerResponse, startedAt: number, aborted: boolean): AccessEntry {
  // Express's routers rewrite req.url while routing; originalUrl keeps what the client asked.
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const length = Number(res.getHeader('content-length'));
  return {
    method: req.method ?? 'GET',
    path: path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path,
    status: res.statusCode,
    ms: Math.round((performance.now() - startedAt) * 10) / 10,
    bytes: Number.isFinite(length) ? length : null,
    client: req.socket.remoteAddress ?? null,
    ...(aborted ? { aborted: true as const } : {}),
  };
}

export function attachAccessLog(server: Server, logger: Pick<Logger, 'info'>): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    let logged = false;
    const log = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      logger.info({ access: accessEntry(req, res, startedAt, aborted) }, 'request');
    };
    res.once('finish', () => log(false));
    res.once('close', () => log(!res.writableFinished));
  });
}
