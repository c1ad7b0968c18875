/**
 * One campaign watcher client per transport of the results gateway, behind one small interface:
 * the raw WebSocket and SockJS speak Fleet's protocol (an `auth` frame, then `select_campaign`);
 * Socket.IO carries the token in its handshake and the same messages as events.
 */
import { io } from 'socket.io-client';
import WebSocket from 'ws';

export type Transport = 'websocket' | 'sockjs' | 'socketio';
export const TRANSPORTS: readonly Transport[] = ['websocket', 'sockjs', 'socketio'];

export interface GatewayMessage {
  type: string;
  data: unknown;
}

export interface WatchHandlers {
  onMessage(message: GatewayMessage): void;
  /** The connection ended (by either side), or could not be made. */
  onClose(reason: string): void;
}

export interface Watch {
  close(): void;
}

export function watchCampaign(transport: Transport, baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers): Watch {
  switch (transport) {
    case 'websocket':
      return overWebSocket(baseUrl, token, campaignId, handlers);
    case 'sockjs':
      return overSockJs(baseUrl, token, campaignId, handlers);
    case 'socketio':
      return overSocketIo(baseUrl, token, campaignId, handlers);
  }
}

const protocolFrames = (token: string, campaignId: number) => [
  JSON.stringify({ type: 'auth', data: { token } }),
  JSON.stringify({ type: 'select_campaign', data: { campaign_id: campaignId } }),
];

function parse(text: string): GatewayMessage {
  try {
    return JSON.parse(text) as GatewayMessage;
  } catch {
    return { type: 'unparsable', data: text };
  }
}

function overWebSocket(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers): Watch {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/fleet/results/websocket`);
  socket.on('open', () => protocolFrames(token, campaignId).forEach((frame) => socket.send(frame)));
  socket.on('message', (data) => handlers.onMessage(parse(data.toString())));
  socket.on('error', (error) => handlers.onClose(error.message));
  socket.on('close', (code, reason) => handlers.onClose(`closed: ${code} ${reason.toString()}`.trim()));
  return { close: () => socket.close() };
}

function overSockJs(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers): Watch {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SockJS = require('sockjs-client');
  const sock = new SockJS(`${baseUrl}/api/v1/fleet/results`);
  sock.onopen = () => protocolFrames(token, campaignId).forEach((frame) => sock.send(frame));
  sock.onmessage = (event: { data: string }) => handlers.onMessage(parse(event.data));
  sock.onclose = (event: { code: number; reason: string }) => handlers.onClose(`closed: ${event.code} ${event.reason}`.trim());
  return { close: () => sock.close() };
}

function overSocketIo(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers): Watch {
  const socket = io(`${baseUrl}/campaigns`, { auth: { token }, transports: ['websocket'], reconnection: false });
  socket.on('connect', () => socket.emit('select_campaign', { campaign_id: campaignId }));
  socket.onAny((type: string, data: unknown) => handlers.onMessage({ type, data }));
  socket.on('connect_error', (error) => handlers.onClose(`refused: ${error.message}`));
  socket.on('disconnect', (reason) => handlers.onClose(`closed: ${reason}`));
  return { close: () => socket.disconnect() };
}
