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

/** A watcher whose TCP socket can stop being read, so that the server's writes back up. */
export interface PausableWatcher extends WatcherClient {
  pauseReading(): void;
  resumeReading(): void;
}

type TcpOf = () => { pause(): void; resume(): void };
const pausable = <T extends WatcherClient>(client: T, tcp: TcpOf): T & PausableWatcher => ({
  ...client,
  pauseReading: () => tcp().pause(),
  resumeReading: () => tcp().resume(),
});
/** The parts every transport's client shares: its frames as logged, and waiting for them. */
function clientOf(
  log: FrameLog,
  parts: { sendRaw(text: string): void; send?: WatcherClient['send']; closed: WatcherClient['closed']; close(): void },
): WatcherClient {
  return {
    frames: log.frames,
    send: parts.send ?? ((type, data) => parts.sendRaw(JSON.stringify({ type, data }))),
    sendRaw: parts.sendRaw,
    waitFor: (predicate) => log.waitFor(predicate),
    waitForCount: (predicate, count) => log.waitForCount(predicate, count),
    closed: parts.closed,
    close: parts.close,
  };
}

const tcpOfWs = (socket: WebSocket) => (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;

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

/** `tls.ca`: the CA a wss:// server is verified by (Logbook's local CA), instead of the system's. */
export async function connectWebSocketWatcher(baseWsUrl: string, tls: { ca?: string } = {}): Promise<PausableWatcher & { socket: WebSocket }> {
  const socket = new WebSocket(`${baseWsUrl}/api/v1/fleet/results/websocket`, tls.ca ? { ca: tls.ca } : {});
  const log = new FrameLog();
  socket.on('message', (data) => log.push(parseFrame(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client = clientOf(log, { sendRaw: (text) => socket.send(text), closed, close: () => socket.close() });
  return { ...pausable(client, () => tcpOfWs(socket)), socket };
}

/**
 * SockJS's websocket transport spoken by hand over `ws` (sockjs-client's own sockets cannot be
 * paused): the server sends `o` (open), `h` (heartbeat), `a[...]` (messages as JSON strings) and
 * `c[code,"reason"]` (close); the client sends JSON arrays of strings.
 */
export async function connectSockJsFramedWatcher(baseWsUrl: string): Promise<PausableWatcher> {
  const session = Math.random().toString(36).slice(2, 10);
  const socket = new WebSocket(`${baseWsUrl}/api/v1/fleet/results/000/${session}/websocket`);
  const log = new FrameLog();
  let closeFrame: { code: number; reason: string } | undefined;
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  socket.on('message', (data) => {
    const text = data.toString();
    if (text === 'o') opened();
    else if (text.startsWith('a')) for (const message of JSON.parse(text.slice(1)) as string[]) log.push(parseFrame(message));
    else if (text.startsWith('c')) {
      const [code, reason] = JSON.parse(text.slice(1)) as [number, string];
      closeFrame = { code, reason };
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve(closeFrame ?? { code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    void open.then(resolve);
  });
  const client = clientOf(log, { sendRaw: (text) => socket.send(JSON.stringify([text])), closed, close: () => socket.close() });
  return pausable(client, () => tcpOfWs(socket));
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
  return clientOf(log, { sendRaw: (text) => sock.send(text), closed, close: () => sock.close() });
}

export async function connectSocketIoWatcher(baseUrl: string, token: string | null, tls: { ca?: string } = {}): Promise<PausableWatcher & { socket: Socket }> {
  const socket = io(`${baseUrl}/campaigns`, { auth: token === null ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true, ...(tls.ca ? { ca: tls.ca } : {}) });
  const log = new FrameLog();
  socket.onAny((type: string, data: unknown) => log.push({ type, data }));
  const closed = new Promise<{ code: string; reason: string }>((resolve) => socket.on('disconnect', (reason) => resolve({ code: reason, reason })));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const client = clientOf(log, {
    send: (type, data) => socket.emit(type, data),
    sendRaw: (text) => socket.emit('message', text),
    closed,
    close: () => socket.disconnect(),
  });
  // engine.io-client's websocket transport in Node is a `ws` WebSocket.
  return { ...pausable(client, () => tcpOfWs((socket.io.engine as unknown as { transport: { ws: WebSocket } }).transport.ws)), socket };
}

export const isType = (type: string) => (frame: GatewayFrame) => frame.type === type;
export const isFinished = (frame: GatewayFrame) => frame.type === 'status' && frame.data.status === 'finished';
export const resultHosts = (frames: GatewayFrame[]) => frames.filter(isType('result')).map((frame) => frame.data.host.id as number);
