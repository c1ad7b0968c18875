/**
 * Embedded, durable event store on LMDB (lmdb-js).
 *
 * One LMDB environment holds three named databases:
 *   log      position            -> JSON text of { streamId, revision, event }   (the global log)
 *   streams  [streamId, revision] -> position                                     (per-stream index)
 *   heads    streamId            -> last revision                                 (expectation checks)
 *
 * Every append runs as an lmdb-js asynchronous (child) transaction callback. lmdb-js runs the callbacks
 * queued in one event turn one after the other inside a single write transaction, so the
 * expectation checks and the position assignment of each append see the writes of the appends
 * before it, and concurrent appends share one commit (and one disk flush) instead of each
 * waiting for its own. An append resolves only once its commit is flushed to disk: lmdb-js's
 * default `overlappingSync` resolves transaction promises at commit and flushes right after, so
 * we await the flush of the append's own transaction as well. No option weakening durability
 * (noSync, noMetaSync, mapAsync) is set.
 *
 * A commit the disk refuses (full disk) aborts the whole transaction: none of its appends is
 * visible, each of them rejects with StorageUnavailableError (see lmdb-write-guard.ts), the
 * store keeps serving reads, and later appends commit again once space returns.
 *
 * Subscriptions read the log itself, page by page, and sleep until the next commit once they
 * reach its end: live events go through the same path as catch-up ones, so nothing is missed,
 * duplicated or reordered, and a slow handler only falls behind.
 *
 * Several processes may open one store (one DATA_DIR): LMDB serializes their write transactions
 * with its own lock, so the expectation checks above hold across processes too (two processes
 * appending with the same expected revision: one commits, the other gets
 * WrongExpectedRevisionError). What LMDB does not do is wake a subscriber in another process: a
 * commit here resolves only this process's signal. So while any subscription is open, the store
 * also reads the log's head every HEAD_POLL_MS and signals a commit when it moved (another
 * process appended); subscribers then read the new events from the log as usual. A poll is one
 * cursor read; with no open subscription no timer runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  START,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  type StreamWrite,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/event-store';
import { LmdbWriteGuard, flushOfCurrentTransaction } from '../storage/lmdb-write-guard';
import { LMDB_MAP_SIZE } from '../storage/lmdb-map-size';
import { StorageHealth } from '../storage/storage-health';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

const SUBSCRIPTION_PAGE_SIZE = 500;
/** LMDB keys are at most 1978 bytes; the stream index key holds the stream id and a number. */
const MAX_STREAM_ID_BYTES = 1024;
const LAST_REVISION = Number.MAX_SAFE_INTEGER;
/** How often an open subscription looks for appends made by other processes. */
export const HEAD_POLL_MS = 50;

/** A write whose events are already serialized, so nothing inside the transaction can throw. */
interface PreparedWrite {
  streamId: string;
  expected: ExpectedRevision;
  serializedEvents: string[];
}

interface StoredEvent {
  streamId: string;
  revision: number;
  event: { id: string; type: string; data: unknown; metadata: RecordedEvent['metadata'] };
}

export interface LmdbEventStoreOptions {
  /** Where failed writes are reported (shared with the read store in one process). */
  health?: StorageHealth;
}

export async function openLmdbEventStore(path: string, options: LmdbEventStoreOptions = {}): Promise<EventStore> {
  return LmdbEventStore.open(path, options);
}

export class LmdbEventStore implements EventStore {
  private commitSignal = createSignal();
  private readonly subscriptions = new Set<LogSubscription>();
  private closed = false;
  private readonly guard: LmdbWriteGuard;
  /** Reads the head while subscriptions are open (appends of other processes); null when none is. */
  private headPoll: NodeJS.Timeout | null = null;
  private signalledHead = START;

  private constructor(
    private readonly path: string,
    private readonly health: StorageHealth,
    private readonly root: RootDatabase,
    private readonly log: Database<string, number>,
    private readonly streams: Database<number, [string, number]>,
    private readonly heads: Database<number, string>,
  ) {
    this.guard = new LmdbWriteGuard(root, path, health);
  }

  static async open(path: string, options: LmdbEventStoreOptions = {}): Promise<LmdbEventStore> {
    mkdirSync(path, { recursive: true });
    const root = open(path, { noSubdir: false, maxDbs: 4, mapSize: LMDB_MAP_SIZE });
    // Opening the three databases writes only when they do not exist yet (the first start).
    return new LmdbEventStore(
      path,
      options.health ?? new StorageHealth(),
      root,
      root.openDB<string, number>({ name: 'log', encoding: 'string' }),
      root.openDB<number, [string, number]>({ name: 'streams' }),
      root.openDB<number, string>({ name: 'heads' }),
    );
  }

  async append(writes: StreamWrite[]): Promise<AppendResult> {
    this.assertOpen();
    const prepared = writes.map(prepareWrite);
    if (prepared.length === 0) throw new Error('append needs at least one stream write');
    // A child transaction: if anything throws, this append's writes are rolled back alone.
    const committing = this.root.childTransaction(() => this.applyInTransaction(prepared));
    // Taken now, so it is this transaction's flush: `root.flushed` read after the commit may be a
    // later transaction's, which never resolves if that one fails.
    const flushed = flushOfCurrentTransaction(this.root);
    const result = await this.guard.commit(committing);
    this.signalCommit();
    await flushed;
    return result;
  }

  async readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    const range = this.streams.getRange({
      start: [streamId, fromRevision],
      end: [streamId, LAST_REVISION],
      inclusiveEnd: true,
    });
    for (const { value: position } of range) {
      events.push(this.readAt(position));
    }
    return events;
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    return this.readPage(after, limit);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new LogSubscription(
      options,
      (after, limit) => this.readPage(after, limit),
      () => this.commitSignal.promise,
      () => {
        this.subscriptions.delete(subscription);
        if (this.subscriptions.size === 0) this.stopHeadPoll();
      },
    );
    this.subscriptions.add(subscription);
    this.startHeadPoll();
    return subscription;
  }

  async headPosition(): Promise<number> {
    return this.lastPosition();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.health.forget(this.path);
    this.stopHeadPoll();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.root.close();
  }

  /** Runs inside the write transaction: checks every expectation first, then writes. */
  private applyInTransaction(writes: PreparedWrite[]): AppendResult {
    const lastRevisions = new Map<string, number>();
    const lastRevisionOf = (streamId: string): number =>
      lastRevisions.get(streamId) ?? this.heads.get(streamId) ?? -1;
    const revisions: number[] = [];
    for (const write of writes) {
      const actual = lastRevisionOf(write.streamId);
      if (!expectationHolds(write.expected, actual)) {
        throw new WrongExpectedRevisionError(write.streamId, write.expected, actual < 0 ? 'no_stream' : actual);
      }
      lastRevisions.set(write.streamId, actual + write.serializedEvents.length);
      revisions.push(actual + write.serializedEvents.length);
    }

    let position = this.lastPosition();
    const nextRevisions = new Map<string, number>();
    for (const write of writes) {
      let revision = nextRevisions.get(write.streamId) ?? this.heads.get(write.streamId) ?? -1;
      for (const serializedEvent of write.serializedEvents) {
        position += 1;
        revision += 1;
        const record = `{"streamId":${JSON.stringify(write.streamId)},"revision":${revision},"event":${serializedEvent}}`;
        this.log.put(position, record);
        this.streams.put([write.streamId, revision], position);
      }
      nextRevisions.set(write.streamId, revision);
      if (revision >= 0) this.heads.put(write.streamId, revision);
    }
    return { revisions, position };
  }

  private readPage(after: number, limit: number): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    if (limit <= 0) return events;
    const range = this.log.getRange({ start: after, exclusiveStart: true, limit });
    for (const { key, value } of range) {
      events.push(toRecordedEvent(key, value));
    }
    return events;
  }

  private readAt(position: number): RecordedEvent {
    const value = this.log.get(position);
    if (value === undefined) throw new Error(`event store index points at missing position ${position}`);
    return toRecordedEvent(position, value);
  }

  private lastPosition(): number {
    for (const key of this.log.getKeys({ reverse: true, limit: 1 })) return key;
    return START;
  }

  private startHeadPoll(): void {
    if (this.headPoll) return;
    this.signalledHead = this.lastPosition();
    this.headPoll = setInterval(() => this.pollHead(), HEAD_POLL_MS);
    this.headPoll.unref();
  }

  private stopHeadPoll(): void {
    if (this.headPoll) clearInterval(this.headPoll);
    this.headPoll = null;
  }

  /** Signals a commit when the log's head moved since the last signal (another process appended). */
  private pollHead(): void {
    if (this.closed) return;
    let head: number;
    try {
      // A fresh snapshot: the read transaction lmdb-js keeps may predate the other process's commit.
      this.root.resetReadTxn();
      head = this.lastPosition();
    } catch {
      return; // the next poll tries again; a broken store shows in appends and reads
    }
    if (head > this.signalledHead) this.signalCommit();
  }

  private signalCommit(): void {
    this.signalledHead = Math.max(this.signalledHead, this.lastPosition());
    const signal = this.commitSignal;
    this.commitSignal = createSignal();
    signal.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

/**
 * Delivers the log from a position on, in order, one handler call at a time.
 *
 * Invariant: a caught-up subscription waits on the current commit signal only, and `close` wakes
 * that one wait. No promise that lives as long as the subscription gets a reaction per wait (a
 * `Promise.race` with a stop promise did: each wait left a reaction on it until close, about
 * three objects per commit and subscriber, never freed while the process ran).
 */
class LogSubscription implements Subscription {
  private stopped = false;
  /** Ends the current wait for a commit; null while not waiting. */
  private wake: (() => void) | null = null;
  private readonly running: Promise<void>;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly readPage: (after: number, limit: number) => RecordedEvent[],
    private readonly nextCommit: () => Promise<void>,
    onStopped: () => void,
  ) {
    this.running = this.deliver().finally(onStopped);
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async deliver(): Promise<void> {
    let after = this.options.after;
    let caughtUp = false;
    try {
      while (!this.stopped) {
        // Taken before reading, so a commit landing after the read still wakes us.
        const committed = this.nextCommit();
        const page = this.readPage(after, SUBSCRIPTION_PAGE_SIZE);
        if (page.length === 0) {
          if (!caughtUp) {
            caughtUp = true;
            this.options.onCaughtUp?.();
          }
          await this.untilCommitOrClose(committed);
          continue;
        }
        for (const event of page) {
          if (this.stopped) return;
          await this.options.onEvent(event);
          after = event.position;
        }
        await yieldToEventLoop(); // a long catch-up must not starve I/O
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Resolves at the next commit, or at once if closed (before or during the wait). */
  private untilCommitOrClose(committed: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      const done = () => {
        if (this.wake === done) this.wake = null;
        resolve();
      };
      this.wake = done;
      void committed.then(done);
    });
  }
}

function prepareWrite(write: StreamWrite): PreparedWrite {
  const { streamId, expected } = write;
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.includes('\u0000')) {
    throw new Error(`invalid stream id ${JSON.stringify(streamId)}`);
  }
  if (Buffer.byteLength(streamId) > MAX_STREAM_ID_BYTES) {
    throw new Error(`stream id longer than ${MAX_STREAM_ID_BYTES} bytes`);
  }
  if (expected !== 'any' && expected !== 'no_stream' && !(Number.isInteger(expected) && expected >= 0)) {
    throw new Error(`invalid expected revision ${String(expected)} for stream "${streamId}"`);
  }
  const serializedEvents = write.events.map((event) =>
    JSON.stringify({
      id: event.id ?? randomUUID(),
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    }),
  );
  return { streamId, expected, serializedEvents };
}

function expectationHolds(expected: ExpectedRevision, actualLastRevision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actualLastRevision < 0;
  return expected === actualLastRevision;
}

function toRecordedEvent(position: number, value: string): RecordedEvent {
  const stored = JSON.parse(value) as StoredEvent;
  return {
    id: stored.event.id,
    streamId: stored.streamId,
    revision: stored.revision,
    position,
    type: stored.event.type,
    data: stored.event.data,
    metadata: stored.event.metadata,
  };
}


interface Signal {
  promise: Promise<void>;
  resolve(): void;
}

function createSignal(): Signal {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
