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

/** ws's own frame builder (not in its type declarations): a frame's header and its payload. */
interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
const buildFrame = (WebSocket as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender.frame;
/** A server's unmasked, uncompressed, final text frame. */
const TEXT_FRAME: FrameOptions = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

/**
 * Frames sent in one turn of the event loop (a batch of results) leave in one write of one buffer,
 * on the next tick, instead of a write (and two buffered chunks) per frame. The frames are built by
 * ws's own Sender.frame and written to the socket in send order; anything ws itself sends (a close
 * frame) waits for the frames sent before it. With permessage-deflate negotiated (ws compresses on
 * its own queue), frames go through ws's send, one by one, the socket corked for the turn.
 * bufferedBytes counts the frames waiting for the tick (their characters) on top of ws's backlog,
 * so a slow watcher's bound sees them at once.
 */
function webSocketConnection(ws: WebSocket): WatcherConnection {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  const coalesce = socket !== undefined && ws.extensions === '';
  let pending: string[] = [];
  let pendingChars = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const texts = pending;
    pending = [];
    pendingChars = 0;
    if (texts.length === 0 || ws.readyState !== WebSocket.OPEN) return;
    if (!coalesce) {
      socket?.cork();
      for (const text of texts) ws.send(text);
      socket?.uncork();
      return;
    }
    const chunks: Buffer[] = [];
    for (const text of texts) {
      for (const chunk of buildFrame(Buffer.from(text, 'utf8'), TEXT_FRAME)) chunks.push(chunk);
    }
    socket.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  };
  return {
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) return;
      pending.push(frame.json);
      pendingChars += frame.json.length;
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flush);
      }
    },
    bufferedBytes: () => ws.bufferedAmount + pendingChars,
    close(code, reason) {
      flush(); // the frames sent before the close go first
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };
}
