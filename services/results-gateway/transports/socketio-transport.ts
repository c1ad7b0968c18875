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
import type { WatcherConnection } from '../watcher-connection';
import type { WatcherAuthenticator } from '../watcher-session';
import type { StartSession } from './start-session';

export const SOCKETIO_NAMESPACE = '/campaigns';

export function mountSocketIoTransport(server: HttpServer, startSession: StartSession, authenticator: WatcherAuthenticator): { close(): void } {
  // destroyUpgrade false: upgrades for other paths belong to the other transports on this server.
  const io = new SocketIoServer(server, { serveClient: false, destroyUpgrade: false });
  const namespace = io.of(SOCKETIO_NAMESPACE);
  namespace.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    if (auth.token === undefined) return next();
    if (typeof auth.token !== 'string' || auth.token === '') return next(new Error('auth: token must be a non-empty string'));
    authenticator.userForToken(auth.token).then(
      (user) => next(user ? undefined : new Error('auth: invalid or expired token')),
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
