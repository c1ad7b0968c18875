/** Fleet's raw WebSocket results endpoint (`ws`): plain JSON text frames both ways. */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { WatcherConnection } from '../watcher-connection';
import type { OriginCheck } from '../../../shared/http/origin-policy';
import { routeUpgrades } from '../../../shared/http/upgrade-router';
import type { StartSession } from './start-session';

export const WEBSOCKET_PATH = '/api/v1/fleet/results/websocket';
/** A closing watcher that does not read its close frame within this long is cut off (TCP reset). */
const CLOSE_GRACE_MS = 30_000;
/** Largest frame a watcher may send; the protocol's are tiny. */
const MAX_INCOMING_BYTES = 64 * 1024;
/** Every frame is a text frame, a result's sent from its UTF-8 bytes as they are (no re-encoding). */
const TEXT_FRAME = { binary: false } as const;

export function mountWebSocketTransport(server: Server, startSession: StartSession, originAllowed: OriginCheck): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INCOMING_BYTES });
  const release = routeUpgrades(server, {
    matches: (path) => path === WEBSOCKET_PATH,
    originAllowed,
    handle: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
  });
  wss.on('connection', (ws: WebSocket) => {
    const session = startSession(webSocketConnection(ws));
    ws.on('message', (data, isBinary) => session.receiveText(isBinary ? '' : data.toString()));
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  });
  return {
    close() {
      release();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/**
 * Frames sent in one turn of the event loop (a batch of results) leave in one write: the TCP
 * socket is corked at the first and uncorked on the next tick, instead of one syscall per frame.
 */
function webSocketConnection(ws: WebSocket): WatcherConnection {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket?.uncork();
  };
  return {
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (socket && !corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(frame.text, TEXT_FRAME);
    },
    bufferedBytes: () => ws.bufferedAmount,
    close(code, reason) {
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };
}
