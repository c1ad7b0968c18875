/** Fleet's raw WebSocket results endpoint (`ws`): plain JSON text frames both ways. */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { WatcherConnection } from '../watcher-connection';
import type { OriginCheck } from '../../../shared/http/origin-policy';
import { routeUpgrades } from '../../../shared/http/upgrade-router';
import type { StartSession } from './start-session';
import { textFrames } from './websocket-text-frames';

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
 * Frames sent in one turn of the event loop (a batch of results) leave in one write. Without
 * extensions (always: the server offers none), the connection frames them itself
 * (websocket-text-frames.ts): they are gathered and written as one buffer on the next tick, after
 * anything `ws` wrote before (a close flushes them first, so nothing follows a close frame).
 * Otherwise `ws` frames each one, with the socket corked until the next tick.
 */
function webSocketConnection(ws: WebSocket): WatcherConnection {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  const framesItself = socket !== undefined && ws.extensions === '';
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const payloads = gathered;
    gathered = [];
    gatheredBytes = 0;
    if (payloads.length > 0 && ws.readyState === WebSocket.OPEN) socket!.write(textFrames(payloads));
  };
  let corked = false;
  const uncork = () => {
    corked = false;
    socket?.uncork();
  };
  return {
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (framesItself) {
        const payload = typeof frame.text === 'string' ? Buffer.from(frame.text, 'utf8') : frame.text;
        gathered.push(payload);
        gatheredBytes += payload.length;
        if (!scheduled) {
          scheduled = true;
          process.nextTick(flush);
        }
        return;
      }
      if (socket && !corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(frame.text, TEXT_FRAME);
    },
    bufferedBytes: () => ws.bufferedAmount + gatheredBytes,
    close(code, reason) {
      flush();
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };
}
