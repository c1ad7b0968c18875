/**
 * Holds a socket's frames until someone takes them, so none is lost between the handshake (which
 * reads the first frame, then awaits a database look-up) and the relay taking over.
 */
import type { RawData, WebSocket } from 'ws';

export interface Frame {
  data: RawData;
  isBinary: boolean;
}

export class FrameQueue {
  private readonly queued: Frame[] = [];
  private waiter: ((frame: Frame) => void) | null = null;
  private sink: ((frame: Frame) => void) | null = null;

  constructor(socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.push({ data, isBinary }));
  }

  private push(frame: Frame): void {
    if (this.sink) return this.sink(frame);
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter(frame);
    else this.queued.push(frame);
  }

  /** The next frame, or null when none comes within the time. */
  next(timeoutMs: number): Promise<Frame | null> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  /** From now on every frame, queued ones first, goes to `sink`. */
  pipeTo(sink: (frame: Frame) => void): void {
    this.sink = sink;
    for (const frame of this.queued.splice(0)) sink(frame);
  }
}
