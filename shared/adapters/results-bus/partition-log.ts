/**
 * The in-process bus's topics: each partition's messages in memory, in offset order.
 *
 * A partition's messages become visible to consumers in two steps: `reserve` gives them their
 * offsets (in call order, so concurrent produces keep the order they were called in) and
 * `publishThrough` makes them readable once they are durable. Invariant: only published messages
 * are read, dropped by retention or counted in `endOffset`; reserved ones sit after them.
 */
import type { OutgoingMessage } from '../../ports/results-bus';

export interface StoredMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** One partition's messages; offsets start at 0 and `baseOffset` moves up as old ones are dropped. */
export class PartitionLog {
  private publishedEnd: number;
  private readonly appendWaiters = new Set<() => void>();
  /** Reservations whose write failed (first offset → count), until nothing is reserved after them. */
  private readonly abandoned = new Map<number, number>();

  /** `messages` (already durable) start at `baseOffset`. */
  constructor(
    private readonly retain: number | undefined,
    private baseOffset = 0,
    private messages: StoredMessage[] = [],
  ) {
    this.publishedEnd = baseOffset + messages.length;
  }

  get startOffset(): number {
    return this.baseOffset;
  }

  /** The offset after the last published message. */
  get endOffset(): number {
    return this.publishedEnd;
  }

  /** Gives the messages the next offsets (not readable yet); answers the first one. */
  reserve(messages: StoredMessage[]): number {
    const first = this.baseOffset + this.messages.length;
    for (const message of messages) this.messages.push(message);
    return first;
  }

  /**
   * A reservation whose write failed, so it must never be read. It is dropped, and its offsets
   * given to the next reservation, once every reservation after it is dropped too (those of one
   * failed transaction fail together, in any order).
   */
  abandon(first: number, count: number): void {
    this.abandoned.set(first, count);
    for (;;) {
      const end = this.baseOffset + this.messages.length;
      const tail = [...this.abandoned].find(([start, length]) => start + length === end);
      if (!tail) return;
      this.abandoned.delete(tail[0]);
      this.messages.length -= tail[1];
    }
  }

  /** Whether a failed reservation still sits before `offset` (one a later write got past). */
  hasAbandonedBefore(offset: number): boolean {
    for (const start of this.abandoned.keys()) if (start < offset) return true;
    return false;
  }

  /** Makes every reserved message before `end` readable, then applies retention. */
  publishThrough(end: number): void {
    if (end <= this.publishedEnd) return;
    this.publishedEnd = end;
    if (this.retain !== undefined) {
      const published = this.publishedEnd - this.baseOffset;
      if (published >= 2 * this.retain) {
        const dropped = published - this.retain;
        this.messages = this.messages.slice(dropped);
        this.baseOffset += dropped;
      }
    }
    for (const wake of this.appendWaiters) wake();
    this.appendWaiters.clear();
  }

  /** Up to `max` published messages from `offset` on (from the oldest kept one if `offset` was dropped). */
  read(offset: number, max: number): { firstOffset: number; messages: StoredMessage[] } {
    const firstOffset = Math.max(offset, this.baseOffset);
    const start = firstOffset - this.baseOffset;
    const end = Math.min(start + max, this.publishedEnd - this.baseOffset);
    return { firstOffset, messages: end > start ? this.messages.slice(start, end) : [] };
  }

  /**
   * Resolves once a message is published at `offset`, or once one of `cancel` is aborted (at once
   * if one already is). Invariant: nothing outlives the call: its abort listeners and append
   * waiter are removed when it settles. (A `Promise.race` against a cancel promise that lives as
   * long as the consumer left one reaction on that promise per call, freed only when it settled.)
   */
  async waitForOffset(offset: number, ...cancel: AbortSignal[]): Promise<void> {
    if (this.endOffset > offset || cancel.some((signal) => signal.aborted)) return;
    let wake!: () => void;
    const appended = new Promise<void>((resolve) => (wake = resolve));
    this.appendWaiters.add(wake);
    for (const signal of cancel) signal.addEventListener('abort', wake, { once: true });
    try {
      await appended;
    } finally {
      this.appendWaiters.delete(wake);
      for (const signal of cancel) signal.removeEventListener('abort', wake);
    }
  }

  /** How many calls of `waitForOffset` are waiting (for tests: none may be left behind). */
  get waiterCount(): number {
    return this.appendWaiters.size;
  }
}

export class Topic {
  constructor(
    readonly name: string,
    readonly partitions: PartitionLog[],
  ) {}

  static empty(name: string, partitionCount: number, retain: number | undefined): Topic {
    return new Topic(name, Array.from({ length: partitionCount }, () => new PartitionLog(retain)));
  }

  partitionFor(key: string): number {
    return hashKey(key) % this.partitions.length;
  }
}

/** FNV-1a over the key's UTF-16 code units: stable, so a key always maps to one partition. */
function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A produced message as the bus keeps it (copied: the producer may reuse its buffers). */
export function toStored(message: OutgoingMessage): StoredMessage {
  if (typeof message.key !== 'string') throw new TypeError('message key must be a string');
  let value: Buffer;
  if (typeof message.value === 'string') value = Buffer.from(message.value, 'utf8');
  else if (Buffer.isBuffer(message.value)) value = Buffer.from(message.value);
  else throw new TypeError('message value must be a Buffer or a string');
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(message.headers ?? {})) {
    if (typeof headerValue !== 'string') throw new TypeError(`header "${name}" must be a string`);
    headers[name] = headerValue;
  }
  return { key: message.key, value, headers, timestamp: Date.now() };
}
