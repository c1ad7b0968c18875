/**
 * One campaign watcher client per transport of the results gateway, behind one small interface:
 * the raw WebSocket and SockJS speak Fleet's protocol (an `auth` frame, then `select_campaign`);
 * Socket.IO carries the token in its handshake and the same messages as events.
 * Over https/wss a `trust` (a CA, or none checked) applies to every transport: ws and Socket.IO
 * take it per connection; sockjs-client takes no TLS options, so its requests go through
 * https.globalAgent, which gets the trust (process-wide: a command's own process), and it uses
 * its XHR transports (its WebSocket driver opens TLS without the agent).
 */
import https from 'node:https';
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

/** How an https/wss server is verified: by these PEM CAs (null: the system's), or not at all. */
export interface TlsTrust {
  ca: string | null;
  insecure: boolean;
}

const SYSTEM_TRUST: TlsTrust = { ca: null, insecure: false };

function tlsOptions(trust: TlsTrust): { ca?: string; rejectUnauthorized: boolean } {
  return { ...(trust.ca === null ? {} : { ca: trust.ca }), rejectUnauthorized: !trust.insecure };
}

export function watchCampaign(transport: Transport, baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers, trust: TlsTrust = SYSTEM_TRUST): Watch {
  switch (transport) {
    case 'websocket':
      return overWebSocket(baseUrl, token, campaignId, handlers, trust);
    case 'sockjs':
      return overSockJs(baseUrl, token, campaignId, handlers, trust);
    case 'socketio':
      return overSocketIo(baseUrl, token, campaignId, handlers, trust);
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

function overWebSocket(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers, trust: TlsTrust): Watch {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/fleet/results/websocket`, tlsOptions(trust));
  socket.on('open', () => protocolFrames(token, campaignId).forEach((frame) => socket.send(frame)));
  socket.on('message', (data) => handlers.onMessage(parse(data.toString())));
  socket.on('error', (error) => handlers.onClose(error.message));
  socket.on('close', (code, reason) => handlers.onClose(`closed: ${code} ${reason.toString()}`.trim()));
  return { close: () => socket.close() };
}

function overSockJs(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers, trust: TlsTrust): Watch {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SockJS = require('sockjs-client');
  const custom = trust.ca !== null || trust.insecure;
  if (custom) Object.assign(https.globalAgent.options, tlsOptions(trust));
  const sock = new SockJS(`${baseUrl}/api/v1/fleet/results`, null, custom ? { transports: ['xhr-streaming', 'xhr-polling'] } : {});
  sock.onopen = () => protocolFrames(token, campaignId).forEach((frame) => sock.send(frame));
  sock.onmessage = (event: { data: string }) => handlers.onMessage(parse(event.data));
  sock.onclose = (event: { code: number; reason: string }) => handlers.onClose(`closed: ${event.code} ${event.reason}`.trim());
  return { close: () => sock.close() };
}

function overSocketIo(baseUrl: string, token: string, campaignId: number, handlers: WatchHandlers, trust: TlsTrust): Watch {
  const socket = io(`${baseUrl}/campaigns`, { auth: { token }, transports: ['websocket'], reconnection: false, ...tlsOptions(trust) });
  socket.on('connect', () => socket.emit('select_campaign', { campaign_id: campaignId }));
  socket.onAny((type: string, data: unknown) => handlers.onMessage({ type, data }));
  socket.on('connect_error', (error) => handlers.onClose(`refused: ${error.message}`));
  socket.on('disconnect', (reason) => handlers.onClose(`closed: ${reason}`));
  return { close: () => socket.disconnect() };
}
