/**
 * Fleet's SockJS results endpoint (`sockjs`) at /api/v1/fleet/results: JSON text messages, as on
 * the raw WebSocket. SockJS serves its own raw WebSocket at <prefix>/websocket too; the `ws`
 * transport claims that path (mounted after this one), so SockJS serves its other transports.
 * SockJS cannot be taken off a server once installed: closing ends the sessions only.
 */
import type { Server } from 'node:http';
import sockjs, { type Connection } from 'sockjs';
import type { WatcherConnection } from '../watcher-connection';
import type { StartSession } from './start-session';

export const SOCKJS_PREFIX = '/api/v1/fleet/results';

export function mountSockJsTransport(server: Server, startSession: StartSession): { close(): void } {
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
  sockServer.installHandlers(server);
  return {
    close() {
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
