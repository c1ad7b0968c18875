/** Fleet's raw WebSocket results endpoint (`ws`): plain JSON text frames both ways. */
import type { Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import type { WatcherConnection } from '../watcher-connection';
import { claimUpgrades } from './upgrade-routing';
import type { StartSession } from './start-session';

export const WEBSOCKET_PATH = '/api/v1/fleet/results/websocket';
/** A closing watcher that does not read its close frame within this long is cut off (TCP reset). */
const CLOSE_GRACE_MS = 30_000;
/** Largest frame a watcher may send; the protocol's are tiny. */
const MAX_INCOMING_BYTES = 64 * 1024;

export function mountWebSocketTransport(server: Server, startSession: StartSession): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INCOMING_BYTES });
  const release = claimUpgrades(server, WEBSOCKET_PATH, (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
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

function webSocketConnection(ws: WebSocket): WatcherConnection {
  return {
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame.json);
    },
    bufferedBytes: () => ws.bufferedAmount,
    close(code, reason) {
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };
}
