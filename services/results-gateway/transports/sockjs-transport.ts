/**
 * Fleet's SockJS results endpoint (`sockjs`) at /api/v1/fleet/results: JSON text messages, as on
 * the raw WebSocket. SockJS serves its own raw WebSocket at <prefix>/websocket too; the `ws`
 * transport's route for that path is added first, so SockJS serves its other transports.
 * Its HTTP requests pass sockjs-http.ts's guards first (origin, CORS, body limits), and its
 * upgrades go through the server's upgrade router (shared/http/upgrade-router.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import sockjs, { type Connection } from 'sockjs';
import type { OriginCheck } from '../../../shared/http/origin-policy';
import { routeUpgrades } from '../../../shared/http/upgrade-router';
import type { WatcherConnection } from '../watcher-connection';
import { guardSockJsRequests } from './sockjs-http';
import type { StartSession } from './start-session';

export const SOCKJS_PREFIX = '/api/v1/fleet/results';

/** sockjs's session table (not in its type definitions). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sessions = require('sockjs/lib/transport').Session as { bySessionId(id: string): unknown };

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function mountSockJsTransport(server: Server, startSession: StartSession, options: { bodyLimitBytes: number; originAllowed: OriginCheck }): { close(): void } {
  const sockServer = sockjs.createServer({ prefix: SOCKJS_PREFIX, log: () => undefined, disconnect_delay: 5_000 });
  const open = new Set<Connection>();
  sockServer.on('connection', (conn: Connection | null) => {
    if (!conn) return; // sockjs emits null for a session that closed before it opened
    open.add(conn);
    const session = startSession(sockJsConnection(conn));
    conn.on('data', (message: string) => session.receiveText(message));
    conn.on('close', () => {
      open.delete(conn);
      session.close();
    });
  });
  const handler = (sockServer as unknown as { listener(): { getHandler(): (req: IncomingMessage, res: unknown, head?: Buffer) => boolean } }).listener().getHandler();
  const guarded = guardSockJsRequests(
    { prefix: SOCKJS_PREFIX, bodyLimitBytes: options.bodyLimitBytes, originAllowed: options.originAllowed, sessionExists: (id) => sessions.bySessionId(id) !== null },
    (req, res) => handler(req, res),
  );
  // In front of the server's other request listeners, which get every other path.
  const others = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!guarded(req, res)) for (const other of others) other.call(server, req, res);
  });
  const unroute = routeUpgrades(server, {
    matches: (path) => path === SOCKJS_PREFIX || path.startsWith(`${SOCKJS_PREFIX}/`),
    originAllowed: options.originAllowed,
    handle: (req, socket, head) => void handler(req, socket, head),
  });
  return {
    close() {
      unroute();
      for (const conn of open) closeWithCode(conn, 1001, 'server shutting down');
      open.clear();
    },
  };
}

/** The parts of sockjs's session that hold what is not yet sent (not in its type definitions). */
interface SockJsSessionInternals {
  send_buffer?: string[];
  recv?: { thingy?: { writableLength?: number } | null } | null;
}

function sockJsConnection(conn: Connection): WatcherConnection {
  const session = (conn as unknown as { _session?: SockJsSessionInternals })._session;
  return {
    send(frame) {
      conn.write(frame.json);
    },
    bufferedBytes() {
      let bytes = 0;
      for (const queued of session?.send_buffer ?? []) bytes += queued.length;
      return bytes + (session?.recv?.thingy?.writableLength ?? 0);
    },
    close(code, reason) {
      closeWithCode(conn, code, reason);
    },
  };
}

/**
 * The close frame must carry the code as a number (`c[4008,"reason"]`), as SockJS clients expect.
 * sockjs writes whatever it is given, and its type definitions ask for a string.
 */
function closeWithCode(conn: Connection, code: number, reason: string): void {
  (conn.close as unknown as (code: number, reason: string) => boolean).call(conn, code, reason);
}
