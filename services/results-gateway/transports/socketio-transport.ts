/**
 * Our console's Socket.IO namespace /campaigns (`socket.io`, default path /socket.io): the token
 * comes in the handshake (`auth: {token}`) or later as an `auth` event; the client emits
 * `select_campaign` {campaign_id}; the server emits `totals`, `status`, `result` and `error` with
 * the same data as the WebSocket frames. A bad token is an `error` event, not a refused connection.
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIoServer, type Socket } from 'socket.io';
import type { WatcherConnection } from '../watcher-connection';
import type { StartSession } from './start-session';

export const SOCKETIO_NAMESPACE = '/campaigns';

export function mountSocketIoTransport(server: HttpServer, startSession: StartSession): { close(): void } {
  // destroyUpgrade false: upgrades for other paths belong to the other transports on this server.
  const io = new SocketIoServer(server, { serveClient: false, destroyUpgrade: false });
  io.of(SOCKETIO_NAMESPACE).on('connection', (socket: Socket) => {
    const session = startSession(socketIoConnection(socket));
    session.receive('auth', socket.handshake.auth);
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
