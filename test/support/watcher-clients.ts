/**
 * Results watchers over the three transports, with one interface for tests: every message the
 * server sent, in order, as {type, data}; `waitFor` resolves when a message matches (no timers:
 * the test's own timeout is the limit); `closed` resolves with the close code and reason.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

export interface GatewayFrame {
  type: string;
  data: any;
}

export interface WatcherClient {
  readonly frames: GatewayFrame[];
  send(type: string, data: unknown): void;
  sendRaw(text: string): void;
  /** Resolves with the first frame (from the start) matching, waiting for it if needed. */
  waitFor(predicate: (frame: GatewayFrame) => boolean): Promise<GatewayFrame>;
  /** Resolves once `count` frames matching have arrived. */
  waitForCount(predicate: (frame: GatewayFrame) => boolean, count: number): Promise<GatewayFrame[]>;
  closed: Promise<{ code: number | string; reason: string }>;
  close(): void;
}

class FrameLog {
  readonly frames: GatewayFrame[] = [];
  private readonly waiters = new Set<(frame: GatewayFrame) => void>();

  push(frame: GatewayFrame): void {
    this.frames.push(frame);
    for (const wake of [...this.waiters]) wake(frame);
  }

  /** Counts matches once over the frames so far, then one frame at a time as they arrive. */
  waitForCount(predicate: (frame: GatewayFrame) => boolean, count: number): Promise<GatewayFrame[]> {
    const matching = this.frames.filter(predicate);
    if (matching.length >= count) return Promise.resolve(matching.slice(0, count));
    return new Promise((resolve) => {
      const check = (frame: GatewayFrame) => {
        if (!predicate(frame)) return;
        matching.push(frame);
        if (matching.length >= count) {
          this.waiters.delete(check);
          resolve(matching);
        }
      };
      this.waiters.add(check);
    });
  }

  waitFor(predicate: (frame: GatewayFrame) => boolean): Promise<GatewayFrame> {
    return this.waitForCount(predicate, 1).then((frames) => frames[0]);
  }
}

function parseFrame(text: string): GatewayFrame {
  try {
    return JSON.parse(text) as GatewayFrame;
  } catch {
    return { type: 'unparsable', data: text };
  }
}

export async function connectWebSocketWatcher(baseWsUrl: string): Promise<WatcherClient & { socket: WebSocket }> {
  const socket = new WebSocket(`${baseWsUrl}/api/v1/fleet/results/websocket`);
  const log = new FrameLog();
  socket.on('message', (data) => log.push(parseFrame(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    frames: log.frames,
    send: (type, data) => socket.send(JSON.stringify({ type, data })),
    sendRaw: (text) => socket.send(text),
    waitFor: (predicate) => log.waitFor(predicate),
    waitForCount: (predicate, count) => log.waitForCount(predicate, count),
    closed,
    close: () => socket.close(),
  };
}

export async function connectSockJsWatcher(baseUrl: string, transports?: string[]): Promise<WatcherClient> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SockJS = require('sockjs-client');
  const sock = new SockJS(`${baseUrl}/api/v1/fleet/results`, null, transports ? { transports } : {});
  const log = new FrameLog();
  sock.onmessage = (event: { data: string }) => log.push(parseFrame(event.data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    sock.onclose = (event: { code: number; reason: string }) => resolve({ code: event.code, reason: event.reason });
  });
  await new Promise<void>((resolve, reject) => {
    sock.onopen = () => resolve();
    void closed.then((event) => reject(new Error(`SockJS closed before opening: ${event.code} ${event.reason}`)));
  });
  return {
    frames: log.frames,
    send: (type, data) => sock.send(JSON.stringify({ type, data })),
    sendRaw: (text) => sock.send(text),
    waitFor: (predicate) => log.waitFor(predicate),
    waitForCount: (predicate, count) => log.waitForCount(predicate, count),
    closed,
    close: () => sock.close(),
  };
}

export async function connectSocketIoWatcher(baseUrl: string, token: string | null): Promise<WatcherClient & { socket: Socket }> {
  const socket = io(`${baseUrl}/campaigns`, { auth: token === null ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const log = new FrameLog();
  socket.onAny((type: string, data: unknown) => log.push({ type, data }));
  const closed = new Promise<{ code: string; reason: string }>((resolve) => socket.on('disconnect', (reason) => resolve({ code: reason, reason })));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    frames: log.frames,
    send: (type, data) => socket.emit(type, data),
    sendRaw: (text) => socket.emit('message', text),
    waitFor: (predicate) => log.waitFor(predicate),
    waitForCount: (predicate, count) => log.waitForCount(predicate, count),
    closed,
    close: () => socket.disconnect(),
  };
}

export const isType = (type: string) => (frame: GatewayFrame) => frame.type === type;
export const isFinished = (frame: GatewayFrame) => frame.type === 'status' && frame.data.status === 'finished';
export const resultHosts = (frames: GatewayFrame[]) => frames.filter(isType('result')).map((frame) => frame.data.host.id as number);
