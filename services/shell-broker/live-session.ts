/**
 * One shell session as this broker sees it: the sides attached here (sockets), the sides attached
 * at another broker (that broker's id, learnt from the shell relay), the relay between them with
 * backpressure, its byte counts, its secret's expiry and its idle timer (which runs from the
 * request, so a side left alone is closed too). Frames sent before the other side joined wait,
 * up to a bound. It closes once, closing the local sides with the same reason, tells the other
 * broker (which closes its side the same way) and hands that close to `onClosed` to be recorded.
 *
 * Across brokers (shared/ports/shell-relay.ts): frames of one direction go out numbered from 1,
 * in the order they arrived; the receiver writes them in that order, drops a number it has seen
 * and ends the session on a gap (never a frame lost or doubled silently). Flow control: the
 * receiving broker acknowledges the bytes its socket has written; the sender pauses reading its
 * side while more than HIGH_WATER_BYTES are unacknowledged, as it does for a local socket.
 */
import { WebSocket } from 'ws';
import type { ShellOperator, ShellSessionClosed } from '../../shared/domain/shells/shell-events';
import type { ShellHost } from '../../shared/ports/shell-hosts';
import type { RelayMessage, ShellRelay } from '../../shared/ports/shell-relay';
import { checkLauncherFrame, checkOperatorFrame, isLauncherAuthFrame, type FrameCheck } from './frames';
import type { Frame, FrameQueue } from './frame-queue';

/** Pause reading a side while the other side has more than this queued for sending. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** WebSocket close reasons are at most 123 bytes. */
const MAX_REASON_CHARS = 120;
/** The receiving broker acknowledges written bytes in steps of this much. */
const ACK_EVERY_BYTES = 64 * 1024;
/** A socket fed from another broker that has this much unwritten is too slow: the session ends. */
const MAX_REMOTE_BUFFERED_BYTES = 8 * 1024 * 1024;

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
  relayFailed: 1011,
} as const;

export type Side = 'launcher' | 'operator';
export type SessionClose = Omit<ShellSessionClosed, 'session_id'>;

export interface LiveSessionOptions {
  sessionId: string;
  host: ShellHost;
  operator: ShellOperator & { name?: string };
  secretExpiresAt: number;
  idleTimeoutMs: number;
  relay: ShellRelay;
  /** The launcher joined at another broker before this one knew the session (loaded from its stream). */
  launcherJoinedElsewhere?: boolean;
  /** `recorded`: false when another broker closed the session and records it. */
  onClosed(close: SessionClose, recorded: boolean): void;
  /** The session has no side here and its launcher joined elsewhere: this broker lets it go. */
  onForgotten(): void;
}

const otherSide = (side: Side): Side => (side === 'launcher' ? 'operator' : 'launcher');
const zero = (): Record<Side, number> => ({ launcher: 0, operator: 0 });

export class LiveSession {
  readonly sessionId: string;
  readonly host: ShellHost;
  readonly operator: ShellOperator & { name?: string };
  private readonly sockets: Record<Side, WebSocket | null> = { launcher: null, operator: null };
  /** The broker each side is attached at, when not here. */
  private readonly remote: Record<Side, string | null> = { launcher: null, operator: null };
  /** Per direction (by the side frames come from): last number sent, last received, bytes relayed, acknowledged. */
  private readonly seqOut = zero();
  private readonly seqIn = zero();
  private readonly sentRemote = zero();
  private readonly ackedRemote = zero();
  /** Per local side fed from another broker: bytes written to its socket, and acknowledged so far. */
  private readonly written = zero();
  private readonly ackSent = zero();
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
        if (!this.sockets.launcher && !this.remote.launcher && !options.launcherJoinedElsewhere) this.close({ reason: 'the launcher did not join before the session secret expired', closed_by: 'logbook' }, CLOSE_CODES.timeout);
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
    if (side === 'operator') this.operatorJoiningHere = false;
    socket.on('pong', () => (this.alive[side] = true));
    socket.on('close', (code) => this.sideClosed(side, code));
    socket.on('error', (error: Error & { code?: string }) => this.sideFailed(side, error));
    const other = otherSide(side);
    this.lastActivity = Date.now();
    // 'joined' goes out before any frame of this side: piping can relay frames the socket sent
    // already, at once, and a broker that got a frame before it knew where the side is drops it
    // (and then ends the session on the gap).
    this.publish({ kind: 'joined', session_id: this.sessionId, side });
    frames.pipeTo((frame) => this.received(side, frame));
    this.flush(other);
  }

  /** A message of the relay about this session, from broker `from`. */
  onRelay(message: RelayMessage, from: string): void {
    if (this.closed) return;
    switch (message.kind) {
      case 'joined':
        return this.remoteJoined(message.side, from);
      case 'frame':
        return this.remoteFrame(message, from);
      case 'ack':
        return this.remoteAck(otherSide(message.side), message.bytes, from);
      case 'closed':
        if (this.remote.launcher !== from && this.remote.operator !== from) return;
        return this.close({ reason: message.reason, closed_by: message.closed_by }, message.code, false);
    }
  }

  /** The broker that carried a side is gone (crashed or stopped): the session ends. */
  brokerLost(brokerId: string): void {
    for (const side of ['launcher', 'operator'] as const) {
      if (this.remote[side] === brokerId) return this.close({ reason: `the broker carrying the ${side} was lost`, closed_by: 'logbook' }, CLOSE_CODES.peerGone, true, false);
    }
  }

  private remoteJoined(side: Side, from: string): void {
    if (this.sockets[side]) return; // the decider lets a side join once: this cannot be
    const first = this.remote[side] !== from;
    this.remote[side] = from;
    const other = otherSide(side);
    if (this.sockets[other]) {
      if (first) this.publish({ kind: 'joined', session_id: this.sessionId, side: other });
      this.flush(other);
    } else if (side === 'launcher' && !this.operatorJoiningHere) {
      // No side here, and the launcher is elsewhere: whichever broker the operator joins loads it again.
      this.forget();
    }
  }

  /**
   * An operator's socket is joining here (its join being recorded): until it attaches, the
   * launcher's joining elsewhere must not make this broker forget the session, or the operator
   * would attach to a forgotten one and never be paired.
   */
  private operatorJoiningHere = false;

  expectOperator(): void {
    this.operatorJoiningHere = true;
  }

  /** The join that expectOperator announced failed: with no side here and the launcher elsewhere, the session is forgotten. */
  operatorJoinFailed(): void {
    this.operatorJoiningHere = false;
    if (!this.closed && !this.sockets.launcher && !this.sockets.operator && this.remote.launcher) this.forget();
  }

  private forget(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.options.onForgotten();
  }

  private remoteFrame(message: Extract<RelayMessage, { kind: 'frame' }>, from: string): void {
    const to = otherSide(message.from);
    const target = this.sockets[to];
    if (this.remote[message.from] !== from || !target) return;
    if (message.seq <= this.seqIn[message.from]) return; // seen already (a redelivery)
    if (message.seq !== this.seqIn[message.from] + 1) {
      return this.close({ reason: `frames from the ${message.from} were lost between brokers`, closed_by: 'logbook' }, CLOSE_CODES.relayFailed);
    }
    this.seqIn[message.from] = message.seq;
    this.lastActivity = Date.now();
    const bytes = Buffer.byteLength(message.text);
    if (to === 'launcher') this.bytesToLauncher += bytes;
    else this.bytesFromLauncher += bytes;
    target.send(message.text, () => {
      this.written[to] += bytes;
      if (this.written[to] - this.ackSent[to] < ACK_EVERY_BYTES || this.closed) return;
      this.ackSent[to] = this.written[to];
      this.publish({ kind: 'ack', session_id: this.sessionId, side: to, bytes: this.written[to] });
    });
    if (target.bufferedAmount > MAX_REMOTE_BUFFERED_BYTES) this.close({ reason: `the ${to} reads too slowly`, closed_by: 'logbook' }, CLOSE_CODES.tooLarge);
  }

  /** Frames from `from` were written at the other broker up to `bytes`: maybe read `from` again. */
  private remoteAck(from: Side, bytes: number, broker: string): void {
    if (this.remote[otherSide(from)] !== broker) return;
    this.ackedRemote[from] = Math.max(this.ackedRemote[from], bytes);
    const source = this.sockets[from];
    if (source?.isPaused && this.sentRemote[from] - this.ackedRemote[from] < LOW_WATER_BYTES) source.resume();
  }

  private publish(message: RelayMessage): void {
    this.options.relay.publish(message).catch((error: Error) => {
      this.close({ reason: `the shell relay failed: ${error.message}`, closed_by: 'logbook' }, CLOSE_CODES.relayFailed, true, false);
    });
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
    const to = otherSide(from);
    const target = this.sockets[to];
    const source = this.sockets[from]!;
    // Until the other side joins (here or elsewhere), frames wait (bounded) in the order they came.
    if (!target && !this.remote[to]) {
      this.pendingUntilJoined(from, check.text);
      return;
    }
    this.lastActivity = Date.now();
    const bytes = Buffer.byteLength(check.text);
    if (from === 'operator') this.bytesToLauncher += bytes;
    else this.bytesFromLauncher += bytes;
    if (!target) {
      this.seqOut[from] += 1;
      this.sentRemote[from] += bytes;
      this.publish({ kind: 'frame', session_id: this.sessionId, from, seq: this.seqOut[from], text: check.text });
      if (this.sentRemote[from] - this.ackedRemote[from] > HIGH_WATER_BYTES && !source.isPaused) source.pause();
      return;
    }
    target.send(check.text, () => {
      if (source.isPaused && !this.closed && target.bufferedAmount < LOW_WATER_BYTES) source.resume();
    });
    if (target.bufferedAmount > HIGH_WATER_BYTES && !source.isPaused) source.pause();
  }

  private readonly waiting: Record<Side, string[]> = { launcher: [], operator: [] };
  private readonly waitingBytes = zero();

  private pendingUntilJoined(from: Side, text: string): void {
    this.waiting[from].push(text);
    this.waitingBytes[from] += text.length;
    if (this.waitingBytes[from] > HIGH_WATER_BYTES) this.close({ reason: `the ${from} sent too much before the other side joined`, closed_by: 'logbook' }, CLOSE_CODES.badFrame);
  }

  /** Once the other side is attached (here or elsewhere), frames `from` held meanwhile go on, in order. */
  private flush(from: Side): void {
    this.waitingBytes[from] = 0;
    for (const text of this.waiting[from].splice(0)) this.relay(from, { data: Buffer.from(text), isBinary: false });
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

  /**
   * `recorded`: false when the other broker closed it (and records it); `tell`: whether to tell the
   * other broker (not when it is the one that is gone).
   */
  close(close: Omit<SessionClose, 'bytes_to_launcher' | 'bytes_from_launcher'>, code: number, recorded = true, tell = true): void {
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
    if (tell && recorded && (this.remote.launcher || this.remote.operator)) {
      this.options.relay.publish({ kind: 'closed', session_id: this.sessionId, code, reason, closed_by: close.closed_by }).catch(() => undefined);
    }
    this.options.onClosed({ ...close, bytes_to_launcher: this.bytesToLauncher, bytes_from_launcher: this.bytesFromLauncher }, recorded);
  }
}
