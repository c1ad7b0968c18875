/**
 * One shell session while it lives in this process: its two sockets, the relay between them with
 * backpressure, its byte counts, its secret's expiry and its idle timer (which runs from the
 * request, so a side left alone is closed too). Frames sent before the other side joined wait,
 * up to a bound. It closes once, closing
 * both sides with the same reason, and hands that close to `onClosed` to be recorded.
 */
import { WebSocket } from 'ws';
import type { ShellOperator, ShellSessionClosed } from '../../shared/domain/shells/shell-events';
import type { ShellHost } from '../../shared/ports/shell-hosts';
import { checkLauncherFrame, checkOperatorFrame, isLauncherAuthFrame, type FrameCheck } from './frames';
import type { Frame, FrameQueue } from './frame-queue';

/** Pause reading a side while the other side has more than this queued for sending. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** WebSocket close reasons are at most 123 bytes. */
const MAX_REASON_CHARS = 120;

export const CLOSE_CODES = {
  normal: 1000,
  shuttingDown: 1001,
  tooLarge: 1009,
  badFrame: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  timeout: 4408,
  conflict: 4409,
  peerGone: 4410,
} as const;

export type Side = 'launcher' | 'operator';
export type SessionClose = Omit<ShellSessionClosed, 'session_id'>;

export interface LiveSessionOptions {
  sessionId: string;
  host: ShellHost;
  operator: ShellOperator & { name?: string };
  secretExpiresAt: number;
  idleTimeoutMs: number;
  onClosed(close: SessionClose): void;
}

export class LiveSession {
  readonly sessionId: string;
  readonly host: ShellHost;
  readonly operator: ShellOperator & { name?: string };
  private readonly sockets: Record<Side, WebSocket | null> = { launcher: null, operator: null };
  private readonly alive: Record<Side, boolean> = { launcher: true, operator: true };
  private bytesToLauncher = 0;
  private bytesFromLauncher = 0;
  private lastActivity = Date.now();
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: LiveSessionOptions) {
    this.sessionId = options.sessionId;
    this.host = options.host;
    this.operator = options.operator;
    const untilExpiry = Math.max(0, options.secretExpiresAt - Date.now());
    this.timers.push(
      setTimeout(() => {
        if (!this.sockets.launcher) this.close({ reason: 'the launcher did not join before the session secret expired', closed_by: 'logbook' }, CLOSE_CODES.timeout);
      }, untilExpiry),
    );
    const idle = options.idleTimeoutMs;
    const every = Math.min(5_000, Math.max(20, Math.floor(idle / 5)));
    this.timers.push(
      setInterval(() => {
        if (Date.now() - this.lastActivity >= idle) this.close({ reason: `no activity for ${idle} ms (idle timeout)`, closed_by: 'logbook' }, CLOSE_CODES.timeout);
      }, every),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  has(side: Side): boolean {
    return this.sockets[side] !== null;
  }

  attach(side: Side, socket: WebSocket, frames: FrameQueue): void {
    if (this.closed) {
      socket.close(CLOSE_CODES.conflict, 'the shell session is closed');
      return;
    }
    this.sockets[side] = socket;
    socket.on('pong', () => (this.alive[side] = true));
    socket.on('close', (code) => this.sideClosed(side, code));
    socket.on('error', (error: Error & { code?: string }) => this.sideFailed(side, error));
    const other: Side = side === 'launcher' ? 'operator' : 'launcher';
    const bothJoined = this.sockets[other] !== null;
    this.lastActivity = Date.now();
    frames.pipeTo((frame) => this.received(side, frame));
    if (bothJoined) this.flushWaiting();
  }

  /**
   * A frame as it arrives. The launcher is authenticated once attached, so a first frame that is
   * an auth frame (a launcher that sent the Bearer header and the "0"+secret frame as well) is
   * dropped, never relayed: it carries the secret and nothing the operator needs.
   */
  private received(from: Side, frame: Frame): void {
    const first = !this.receivedAny[from];
    this.receivedAny[from] = true;
    if (from === 'launcher' && first && isLauncherAuthFrame(frame.data, frame.isBinary)) return;
    this.relay(from, frame);
  }

  private readonly receivedAny: Record<Side, boolean> = { launcher: false, operator: false };

  private relay(from: Side, frame: Frame): void {
    if (this.closed) return;
    const check: FrameCheck = from === 'operator' ? checkOperatorFrame(frame.data, frame.isBinary) : checkLauncherFrame(frame.data, frame.isBinary);
    if (!check.ok) {
      this.close({ reason: `invalid frame from the ${from}: ${check.problem}`, closed_by: 'logbook' }, CLOSE_CODES.badFrame);
      return;
    }
    const to: Side = from === 'operator' ? 'launcher' : 'operator';
    const target = this.sockets[to];
    const source = this.sockets[from]!;
    // Until the other side joins, frames wait (bounded) in the order they came.
    if (!target) {
      this.pendingUntilJoined(from, check.text);
      return;
    }
    this.lastActivity = Date.now();
    const bytes = Buffer.byteLength(check.text);
    if (from === 'operator') this.bytesToLauncher += bytes;
    else this.bytesFromLauncher += bytes;
    target.send(check.text, () => {
      if (source.isPaused && !this.closed && target.bufferedAmount < LOW_WATER_BYTES) source.resume();
    });
    if (target.bufferedAmount > HIGH_WATER_BYTES && !source.isPaused) source.pause();
  }

  private readonly waiting: Record<Side, string[]> = { launcher: [], operator: [] };
  private waitingBytes = 0;

  private pendingUntilJoined(from: Side, text: string): void {
    this.waiting[from].push(text);
    this.waitingBytes += text.length;
    if (this.waitingBytes > HIGH_WATER_BYTES) this.close({ reason: `the ${from} sent too much before the other side joined`, closed_by: 'logbook' }, CLOSE_CODES.badFrame);
  }

  /** Once both sides are attached, frames held while one side was missing go on. */
  private flushWaiting(): void {
    this.waitingBytes = 0;
    for (const side of ['operator', 'launcher'] as const) {
      for (const text of this.waiting[side].splice(0)) this.relay(side, { data: Buffer.from(text), isBinary: false });
    }
  }

  /** ws reports a protocol violation (a frame over the size limit, invalid UTF-8...) and closes that socket. */
  private sideFailed(side: Side, error: Error & { code?: string }): void {
    if (this.closed) return;
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? `the ${side} sent a frame larger than the limit` : `invalid frame from the ${side}: ${error.message}`;
    this.close({ reason, closed_by: 'logbook' }, error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? CLOSE_CODES.tooLarge : CLOSE_CODES.badFrame);
  }

  private sideClosed(side: Side, code: number): void {
    if (this.closed) return;
    if (code === 1006) {
      this.close({ reason: `the ${side} connection was lost`, closed_by: side }, CLOSE_CODES.peerGone);
    } else if (side === 'launcher') {
      this.close({ reason: 'the shell on the host ended', closed_by: 'launcher' }, CLOSE_CODES.normal);
    } else {
      this.close({ reason: 'the operator closed the shell', closed_by: 'operator' }, CLOSE_CODES.normal);
    }
  }

  /** Pings both sides; a side that did not answer the previous ping is gone. */
  heartbeat(): void {
    for (const side of ['launcher', 'operator'] as const) {
      const socket = this.sockets[side];
      if (!socket || socket.readyState !== WebSocket.OPEN) continue;
      if (!this.alive[side]) {
        socket.terminate();
        continue;
      }
      this.alive[side] = false;
      socket.ping();
    }
  }

  close(close: Omit<SessionClose, 'bytes_to_launcher' | 'bytes_from_launcher'>, code: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    const reason = close.reason.length > MAX_REASON_CHARS ? close.reason.slice(0, MAX_REASON_CHARS) : close.reason;
    for (const socket of Object.values(this.sockets)) {
      if (!socket) continue;
      if (socket.isPaused) socket.resume();
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason);
      const force = setTimeout(() => socket.terminate(), 5_000);
      force.unref();
      socket.once('close', () => clearTimeout(force));
    }
    this.options.onClosed({ ...close, bytes_to_launcher: this.bytesToLauncher, bytes_from_launcher: this.bytesFromLauncher });
  }
}
