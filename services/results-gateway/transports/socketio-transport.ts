/**
 * Our console's Socket.IO namespace /campaigns (`socket.io`, default path /socket.io): the token
 * comes in the handshake (`auth: {token}`) or later as an `auth` event; the client emits
 * `select_campaign` {campaign_id}; the server emits `totals`, `status`, `result` and `error` with
 * the same data as the WebSocket frames.
 *
 * A handshake that carries a token must carry a valid one: otherwise the connection is refused
 * (the client gets `connect_error` with the reason as its message). A handshake without a token is
 * accepted, and the client authenticates with an `auth` event, as on the other transports.
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIoServer, type Socket } from 'socket.io';
import type { OriginCheck } from '../../../shared/http/origin-policy';
import { routeLibraryUpgrades } from '../../../shared/http/upgrade-router';
import type { WatcherConnection } from '../watcher-connection';
import type { WatcherAuthenticator } from '../watcher-session';
import type { StartSession } from './start-session';

export const SOCKETIO_NAMESPACE = '/campaigns';

const SOCKETIO_PATH = '/socket.io/';

export function mountSocketIoTransport(server: HttpServer, startSession: StartSession, authenticator: WatcherAuthenticator, originAllowed: OriginCheck): { close(): void } {
  // engine.io's upgrade listener is moved behind the server's upgrade router (origin check, 404
  // for unknown paths); allowRequest applies the same origin check to its polling requests.
  let io!: SocketIoServer;
  const unroute = routeLibraryUpgrades(server, { matches: (path) => path.startsWith(SOCKETIO_PATH), originAllowed }, () => {
    io = new SocketIoServer(server, {
      path: SOCKETIO_PATH,
      serveClient: false,
      destroyUpgrade: false,
      allowRequest: (req, callback) => callback(originAllowed(req) ? null : 'this origin may not open results sockets', originAllowed(req)),
    });
  });
  const namespace = io.of(SOCKETIO_NAMESPACE);
  namespace.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    if (auth.token === undefined) return next();
    if (typeof auth.token !== 'string' || auth.token === '') return next(new Error('auth: token must be a non-empty string'));
    authenticator.sessionForToken(auth.token).then(
      (session) => next(session ? undefined : new Error('auth: invalid or expired token')),
      () => next(new Error('auth: the token could not be checked; try again')),
    );
  });
  namespace.on('connection', (socket: Socket) => {
    const session = startSession(socketIoConnection(socket));
    if ((socket.handshake.auth as { token?: unknown }).token !== undefined) session.receive('auth', socket.handshake.auth);
    socket.onAny((event: string, data: unknown) => session.receive(event, data));
    socket.on('disconnect', () => session.close());
  });
  return {
    close() {
      unroute();
      io.of(SOCKETIO_NAMESPACE).disconnectSockets(true);
      io.engine.close();
    },
  };
}

/** engine.io internals that hold what is not yet written. */
interface EngineInternals {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: number } };
}

function socketIoConnection(socket: Socket): WatcherConnection {
  const engine = socket.conn as unknown as EngineInternals;
  return {
    send(frame) {
      socket.emit(frame.message.type, frame.message.data);
    },
    bufferedBytes() {
      let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
      for (const packet of engine.writeBuffer ?? []) bytes += typeof packet.data === 'string' ? packet.data.length : 0;
      return bytes;
    },
    close() {
      socket.disconnect(true);
    },
  };
}
