/**
 * One kafkajs group consumer behind the results bus's `consume`: batches delivered to the
 * handler in order per partition, offsets resolved only after the handler (or its `durable`
 * promise) succeeded, and committed at most once per interval and on stop (see
 * kafka-results-bus.ts for the bus's contract on Kafka).
 */
import type { Consumer as KafkaConsumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumeOptions, IncomingBatch, IncomingMessage } from '../../ports/results-bus';
import { CommitQueue } from './commit-queue';
import { asError, durableOf, retryUntilHandled, type RetryControl } from './handler-retry';

/** One `consume` call: a kafkajs consumer in the group, delivering batch by batch. */
export class KafkaGroupConsumer {
  private stopping = false;
  /** Aborted by stop(): cuts a retry pause short. */
  private readonly stopRequest = new AbortController();
  private stopped: Promise<void> | undefined;
  /** The batch being handled, if any (stop waits for it). */
  private delivering: Promise<void> = Promise.resolve();
  /** Offsets handled (and durable) but not committed yet; pipelined batches wait in it for their `durable`. */
  private readonly commits = new CommitQueue(
    (topic, partition, firstOffset, error) => this.redeliver(topic, partition, firstOffset, error),
    () => this.commitIfDue(),
  );
  private committing = false;
  /** The commit commitIfDue started, if any (settled otherwise; never rejects). */
  private commitInFlight: Promise<void> = Promise.resolve();
  private commitIntervalMs = 1_000;
  private lastCommitAt = Date.now();

  constructor(
    private readonly consumer: KafkaConsumer,
    private readonly options: ConsumeOptions,
  ) {}

  /**
   * Resolves after the first fetch that follows joining the group: by then kafkajs has looked up
   * the start offset of every assigned partition, so later messages cannot be skipped.
   */
  async start(partitionsConsumedConcurrently: number, joinTimeoutMs: number, commitIntervalMs: number): Promise<void> {
    const { events } = this.consumer;
    let joined = false;
    let settle!: (error?: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    this.commitIntervalMs = commitIntervalMs;
    // After a rebalance, forget partitions this member no longer owns: their new owner commits them.
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => this.commits.retain(payload.memberAssignment));
    const removeListeners = [
      this.consumer.on(events.GROUP_JOIN, () => {
        joined = true;
      }),
      this.consumer.on(events.FETCH, () => {
        if (joined) settle();
      }),
    ];
    this.consumer.on(events.CRASH, ({ payload }) => {
      const error = asError(payload.error);
      this.report(error);
      // A retriable crash (e.g. the group coordinator is still loading after a broker start) is
      // followed by kafkajs restarting the consumer; only a final one ends the wait.
      joined = false;
      if (!payload.restart) settle(error); // no effect once ready
    });
    const joinDeadline = setTimeout(
      () => settle(new Error(`consumer of group "${this.options.groupId}" did not join within ${joinTimeoutMs} ms`)),
      joinTimeoutMs,
    );
    ready.catch(() => undefined); // awaited below; this only keeps an early rejection from being "unhandled"

    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
      await this.consumer.run({
        // kafkajs's autoCommit commits after every batch whatever the interval: a round trip before
        // each next fetch. Instead, deliver() commits at most every commitIntervalMs, and stop()
        // commits what was handled before leaving the group.
        autoCommit: false,
        autoCommitInterval: commitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch: (payload) => this.deliver(payload),
      });
      await ready;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(joinDeadline);
      for (const remove of removeListeners) remove();
    }
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopping = true;
      this.stopRequest.abort();
      this.stopped = (async () => {
        // The running batch gives up at its next message; what it handled is committed once
        // durable (the barrier of pipelined batches), then kafkajs leaves the group.
        await this.delivering;
        await this.commits.settled();
        await this.commitInFlight; // so that the last commit is this one, of the latest offsets
        await this.commitHandled().catch((error) => this.report(asError(error)));
        await this.consumer.disconnect().catch((error) => this.report(asError(error)));
      })();
    }
    return this.stopped;
  }

  /** Commits the next offset of every partition whose handled messages are not committed yet. */
  private async commitHandled(): Promise<void> {
    const offsets = this.commits.takeDue();
    this.lastCommitAt = Date.now();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      this.commits.putBack(offsets);
      throw error;
    }
  }

  /** Commits what is due if the last commit is commitIntervalMs old; never throws. */
  private commitIfDue(): Promise<void> {
    if (this.committing || this.stopping || Date.now() - this.lastCommitAt < this.commitIntervalMs) return Promise.resolve();
    this.committing = true;
    this.commitInFlight = this.commitDue();
    return this.commitInFlight;
  }

  private async commitDue(): Promise<void> {
    try {
      await this.commitHandled();
    } catch (error) {
      this.report(asError(error));
    } finally {
      this.committing = false;
    }
  }

  /**
   * A pipelined batch's `durable` rejected: the partition is read again from that batch (kafkajs
   * drops what it fetched after it), and nothing queued after it is committed.
   */
  private redeliver(topic: string, partition: number, firstOffset: number, error: unknown): void {
    this.report(asError(error));
    if (this.stopping) return;
    try {
      this.consumer.seek({ topic, partition, offset: String(firstOffset) });
    } catch (seekError) {
      this.report(asError(seekError));
    }
  }

  private deliver(payload: EachBatchPayload): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const delivering = this.deliverBatch(payload);
    this.delivering = delivering.catch(() => undefined);
    return delivering;
  }

  private async deliverBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    // kafkajs fetches on from the offsets resolved here; what is committed is this.commits' due offsets.
    const resolveOffset = (first: number, last: number, durable?: Promise<void>) => {
      payload.resolveOffset(String(last));
      this.commits.add(batch.topic, batch.partition, first, last, durable);
    };
    const control: RetryControl = {
      givingUp: () => this.stopping || !isRunning() || isStale(),
      gaveUp: this.stopRequest.signal,
      keepAlive: heartbeat, // throws when the group rebalances: kafkajs then rejoins
      onError: this.options.onError,
    };
    const messages = batch.messages.map((message) => toIncoming(batch.topic, batch.partition, message));
    const { onMessage, onBatch } = this.options;
    if (onMessage) {
      for (const message of messages) {
        if (!(await retryUntilHandled(() => onMessage(message), control))) return;
        resolveOffset(message.offset, message.offset);
        await heartbeat();
        if (control.givingUp()) return;
      }
    } else if (onBatch && messages.length > 0) {
      const incoming: IncomingBatch = { topic: batch.topic, partition: batch.partition, messages };
      let outcome: unknown;
      if (!(await retryUntilHandled(async () => void (outcome = await onBatch(incoming)), control))) return;
      resolveOffset(messages[0].offset, messages[messages.length - 1].offset, durableOf(outcome));
    }
    // At most every commitIntervalMs, and not awaited: a commit is a broker round trip that would
    // otherwise hold up the next fetch (a live result's latency). A failed commit only means the
    // messages may come again; stop() waits for a commit in flight before its own.
    void this.commitIfDue();
  }

  private report(error: Error): void {
    try {
      this.options.onError?.(error);
    } catch {
      // onError must not break delivery
    }
  }
}

function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? Buffer.alloc(0),
    headers: headersToStrings(message.headers),
    timestamp: Number(message.timestamp),
  };
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  // A loop over the keys, not Object.entries: this runs once per message consumed.
  for (const name in headers) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
