/**
 * Event store on EventStoreDB (`@eventstore/db-client` 6.x, gRPC).
 *
 * Mapping to the port:
 * - revisions are the stream revisions (bigint -> number); positions are $all commit positions
 *   (bigint -> number). Each event of a normal append has its own commit position, so positions
 *   are strictly increasing (with gaps, which the port allows).
 * - system events ($-prefixed event types or streams) never appear in readAll, headPosition or
 *   subscriptions.
 * - the port's metadata is stored as the ESDB event's JSON metadata, with `$correlationId` and
 *   `$causationId` added so that ESDB's own projections understand it.
 *
 * Limitation: the 6.x client has no multi-stream atomic append. An append of one write is fully
 * atomic (ESDB checks the expected revision). An append of several writes first reads every
 * stream's current revision and checks every expectation (nothing is written if one fails), then
 * appends each write with its expected revision, one after the other. A concurrent writer that
 * appends to one of those streams between the check and our append makes that write fail with
 * WrongExpectedRevisionError while the earlier writes of the batch are already stored: the batch
 * is then partly applied.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  START,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  type StreamWrite,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/event-store';

const READ_ALL_PAGE_SIZE = 500;
/** What the server sends as the position of an event it cannot place in $all. */
const UNKNOWN_POSITION = 2n ** 64n - 1n;
const NO_STREAM_REVISION = -1;

export async function connectEventStoreDb(connectionString: string): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const store = new EventStoreDbEventStore(client);
  try {
    await store.headPosition(); // fails fast when the server cannot be reached
  } catch (error) {
    await client.dispose();
    throw error;
  }
  return store;
}

export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly client: EventStoreDBClient) {}

  async append(writes: StreamWrite[]): Promise<AppendResult> {
    if (writes.length === 0) throw new Error('append needs at least one stream write');
    if (writes.length > 1 || writes[0].events.length === 0) await this.checkExpectations(writes);
    const revisions: number[] = [];
    let position: number | undefined;
    for (const write of writes) {
      if (write.events.length === 0) {
        revisions.push(await this.lastRevision(write.streamId));
        continue;
      }
      const written = await this.appendOne(write);
      revisions.push(written.revision);
      position = written.position;
    }
    return { revisions, position: position ?? (await this.headPosition()) };
  }

  async readStream(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { fromRevision: BigInt(fromRevision), direction: FORWARDS });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event, resolved.commitPosition));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let from: ReadPosition = toReadPosition(after);
    let passed = after; // commit position of the last event looked at, ours or the system's
    while (events.length < limit) {
      const pageSize = Math.max(limit - events.length, READ_ALL_PAGE_SIZE);
      let received = 0;
      let last: Position | undefined;
      const read = this.client.readAll({ fromPosition: from, maxCount: pageSize, direction: FORWARDS });
      for await (const resolved of read) {
        received += 1;
        const event = resolved.event;
        if (!event || Number(event.position.commit) <= passed) continue;
        passed = Number(event.position.commit);
        last = event.position;
        if (isUserEvent(event) && events.length < limit) events.push(toRecordedEvent(event, resolved.commitPosition));
      }
      if (received < pageSize || !last) break;
      from = last;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new EsdbAllSubscription(this.client, options, () => this.headPosition(), () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      let received = 0;
      let oldest: Position | undefined;
      const read = this.client.readAll({ fromPosition: from, maxCount: READ_ALL_PAGE_SIZE, direction: BACKWARDS });
      for await (const resolved of read) {
        received += 1;
        const event = resolved.event;
        if (!event) continue;
        if (from !== END && event.position.commit >= (from as Position).commit) continue;
        if (isUserEvent(event)) {
          await read.cancel();
          return Number(event.position.commit);
        }
        oldest = event.position;
      }
      if (received < READ_ALL_PAGE_SIZE || !oldest) return START;
      from = oldest;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /** Checks every write's expectation against the streams' current revisions, in write order. */
  private async checkExpectations(writes: StreamWrite[]): Promise<void> {
    const lastRevisions = new Map<string, number>();
    for (const write of writes) {
      const actual = lastRevisions.get(write.streamId) ?? (await this.lastRevision(write.streamId));
      if (!expectationHolds(write.expected, actual)) {
        throw new WrongExpectedRevisionError(write.streamId, write.expected, toActual(actual));
      }
      lastRevisions.set(write.streamId, actual + write.events.length);
    }
  }

  private async appendOne(write: StreamWrite): Promise<{ revision: number; position: number }> {
    const events = write.events.map((event) =>
      jsonEvent({
        id: event.id ?? randomUUID(),
        type: event.type,
        data: (event.data ?? null) as JSONType,
        metadata: toEsdbMetadata(event.metadata),
      }),
    );
    try {
      const result = await this.client.appendToStream(write.streamId, events, {
        expectedRevision: toEsdbExpectedRevision(write.expected),
      });
      if (!result.success) {
        // Only when the connection string sets throwOnAppendFailure=false.
        throw new WrongExpectedRevisionError(write.streamId, write.expected, await this.actualOf(write.streamId));
      }
      const position = result.position ? Number(result.position.commit) : await this.headPosition();
      return { revision: Number(result.nextExpectedRevision), position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedRevisionError(
          write.streamId,
          write.expected,
          typeof actual === 'bigint' ? Number(actual) : await this.actualOf(write.streamId),
        );
      }
      throw error;
    }
  }

  private async actualOf(streamId: string): Promise<number | 'no_stream'> {
    return toActual(await this.lastRevision(streamId));
  }

  /** The stream's last revision, or -1 when it has no events. */
  private async lastRevision(streamId: string): Promise<number> {
    try {
      const read = this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
      for await (const resolved of read) {
        if (resolved.event) return Number(resolved.event.revision);
      }
      return NO_STREAM_REVISION;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return NO_STREAM_REVISION;
      throw error;
    }
  }
}

/** Catch-up subscription to $all without system events, delivering one event at a time. */
class EsdbAllSubscription implements Subscription {
  private stopped = false;
  private readonly esdbSubscription: AllStreamSubscription;
  private readonly running: Promise<void>;

  constructor(
    client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly headPosition: () => Promise<number>,
    onStopped: () => void,
  ) {
    this.esdbSubscription = client.subscribeToAll({
      fromPosition: toReadPosition(options.after),
      filter: excludeSystemEvents(),
    });
    this.running = this.deliver(headPosition()).finally(onStopped);
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.esdbSubscription.unsubscribe().catch(() => undefined);
    // Cancelling the gRPC call does not always end the readable: destroy it so the loop exits.
    this.esdbSubscription.destroy();
    await this.running;
  }

  /**
   * Caught up means: everything up to the head of the log has been handled. The head is read
   * when the subscription starts and read again whenever delivery reaches it, since events may
   * have been appended meanwhile.
   */
  private async deliver(headAtStart: Promise<number>): Promise<void> {
    let delivered = this.options.after;
    let head: number | undefined;
    let caughtUp = false;
    const reportCaughtUp = (): void => {
      caughtUp = true;
      if (!this.stopped) this.options.onCaughtUp?.();
    };
    void headAtStart.then((position) => {
      head = position;
      if (!caughtUp && delivered >= position) reportCaughtUp();
    }, () => undefined);
    try {
      for await (const resolved of this.esdbSubscription) {
        if (this.stopped) break;
        const event = resolved.event;
        if (!event || !isUserEvent(event)) continue;
        const position = Number(event.position.commit);
        if (position <= delivered) continue;
        await this.options.onEvent(toRecordedEvent(event, resolved.commitPosition));
        delivered = position;
        if (!caughtUp && head !== undefined && delivered >= head) {
          head = await this.headPosition();
          if (delivered >= head) reportCaughtUp();
        }
      }
    } catch (error) {
      if (this.stopped) return;
      this.stopped = true;
      await this.esdbSubscription.unsubscribe().catch(() => undefined);
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function toReadPosition(after: number): ReadPosition {
  if (after <= START) return ESDB_START;
  const position = BigInt(Math.floor(after));
  return { commit: position, prepare: position };
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

function expectationHolds(expected: ExpectedRevision, actualLastRevision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actualLastRevision === NO_STREAM_REVISION;
  return expected === actualLastRevision;
}

function toActual(lastRevision: number): number | 'no_stream' {
  return lastRevision === NO_STREAM_REVISION ? 'no_stream' : lastRevision;
}

function isUserEvent(event: { type: string; streamId: string }): boolean {
  return !event.type.startsWith('$') && !event.streamId.startsWith('$');
}

function toEsdbMetadata(metadata: EventMetadata): JSONType {
  return {
    ...metadata,
    $correlationId: metadata.correlationId,
    ...(metadata.causationId === null ? {} : { $causationId: metadata.causationId }),
  };
}

function fromEsdbMetadata(event: EsdbRecordedEvent): EventMetadata {
  const stored = isPlainObject(event.metadata) ? event.metadata : {};
  return {
    actor: (stored.actor as EventMetadata['actor'] | undefined) ?? { type: 'system', id: 'unknown' },
    occurredAt: typeof stored.occurredAt === 'string' ? stored.occurredAt : event.created.toISOString(),
    correlationId: String(stored.correlationId ?? stored.$correlationId ?? event.id),
    causationId: (stored.causationId as string | null | undefined) ?? (stored.$causationId as string | undefined) ?? null,
  };
}

/**
 * Positions come from the event (servers from 22.6 fill them in on stream reads too); when a
 * server leaves them out, the position is reported as START (unknown).
 */
function toRecordedEvent(event: EsdbRecordedEvent, commitPosition?: bigint): RecordedEvent {
  const commit = event.position?.commit ?? commitPosition;
  const known = commit !== undefined && commit !== UNKNOWN_POSITION;
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: known ? Number(commit) : START,
    type: event.type,
    data: event.data,
    metadata: fromEsdbMetadata(event),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}
