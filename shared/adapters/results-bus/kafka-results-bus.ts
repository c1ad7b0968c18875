/**
 * Kafka results bus on kafkajs 2.x.
 *
 * - Producer: idempotent, acks=all (-1); `produce` resolves once every in-sync replica has the
 *   messages. Partitioning is Kafka's default (murmur2 of the key, as the Java client does).
 *   kafkajs's idempotent producer sends one request per broker at a time (it holds a lock for the
 *   sequence numbers), so calls to `produce` made while a request is in flight are coalesced into
 *   the next request (see ProduceCoalescer): a lone call goes out at once, and under load each
 *   round trip carries everything that arrived during the previous one, in call order.
 * - Consumers: one kafkajs consumer per `consume` call, offsets resolved by hand after the handler
 *   succeeded and committed at most once a second (and on stop). Short fetch waits and heartbeat
 *   intervals keep latency and rebalances short.
 * - kafkajs logs nothing unless a `log` function is given, which then gets warnings and errors.
 */
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer as KafkaConsumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type {
  Consumer,
  ConsumeOptions,
  IncomingBatch,
  IncomingMessage,
  OutgoingMessage,
  ResultsBus,
  TopicOptions,
} from '../../ports/results-bus';
import { CommitQueue } from './commit-queue';
import { asError, durableOf, retryUntilHandled, type RetryControl } from './handler-retry';
import { forwardLog, noDelaySocketFactory, type KafkaLogRecord } from './kafka-client-parts';
import type { KafkaConnectionSecurity } from './kafka-security';
import { ProduceCoalescer } from './produce-coalescer';

export interface KafkaConsumerTuning {
  /** Broker waits at most this long for data before answering a fetch. Default 100. */
  maxWaitTimeMs?: number;
  /** Default 500: members notice a rebalance within about this long. */
  heartbeatIntervalMs?: number;
  /** A member silent for this long is dropped from its group. Default 10000. */
  sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin during a rebalance. Default 30000. */
  rebalanceTimeoutMs?: number;
  /** Partitions whose handlers may run at the same time, per consumer. Default 4. */
  partitionsConsumedConcurrently?: number;
  /**
   * Handled offsets are committed at most this often (and always on stop), not after every batch:
   * a commit is a round trip to the broker that would stand between one batch and the next fetch.
   * A crash redelivers at most this much (the contract allows redelivery). Default 1000.
   */
  commitIntervalMs?: number;
  /** `consume` rejects when the consumer has not joined its group and started within this. Default 60000. */
  joinTimeoutMs?: number;
}

export interface KafkaResultsBusOptions extends KafkaConnectionSecurity {
  brokers: string[];
  clientId: string;
  /** Receives kafkajs's warnings and errors; by default kafkajs logs nothing. */
  log?: (record: KafkaLogRecord) => void;
  /** kafkajs's least severe level given to `log` (kafkaLogLevelFor the logger's level). Default WARN. */
  logLevel?: logLevel;
  consumer?: KafkaConsumerTuning;
  /** `ping` fails after this long. Default 5000. */
  pingTimeoutMs?: number;
}

/** Connects the admin client and the producer; rejects when no broker can be reached. */
export async function connectKafkaResultsBus(options: KafkaResultsBusOptions): Promise<ResultsBus> {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new TypeError('brokers must list at least one host:port');
  }
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    socketFactory: noDelaySocketFactory,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 100, retries: 5 },
    logLevel: options.log ? (options.logLevel ?? logLevel.WARN) : logLevel.NOTHING,
    logCreator: () => (entry) => forwardLog(options.log, entry),
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Idempotence would retry forever; a bounded number lets `produce` fail while a broker is down.
    retry: { retries: 6 },
  });
  try {
    await admin.connect();
    await producer.connect();
  } catch (error) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw error;
  }
  return new KafkaResultsBus(kafka, admin, producer, options);
}

class KafkaResultsBus implements ResultsBus {
  private readonly running = new Set<Consumer>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly options: KafkaResultsBusOptions,
  ) {}

  private readonly coalescer = new ProduceCoalescer((topicMessages) => this.producer.sendBatch({ acks: -1, topicMessages }).then(() => undefined));

  async produce(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    await this.coalescer.produce(topic, messages);
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    this.assertOpen();
    assertConsumeOptions(options);
    const tuning = this.options.consumer ?? {};
    const kafkaConsumer = this.kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: tuning.maxWaitTimeMs ?? 100,
      heartbeatInterval: tuning.heartbeatIntervalMs ?? 500,
      sessionTimeout: tuning.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: tuning.rebalanceTimeoutMs ?? 30_000,
      allowAutoTopicCreation: true,
    });
    const consumer = new KafkaGroupConsumer(kafkaConsumer, options);
    await consumer.start(tuning.partitionsConsumedConcurrently ?? 4, tuning.joinTimeoutMs ?? 60_000, tuning.commitIntervalMs ?? 1_000);
    const handle: Consumer = {
      stop: () => consumer.stop().finally(() => this.running.delete(handle)),
    };
    this.running.add(handle);
    return handle;
  }

  async ensureTopics(names: string[], partitions: number, options: TopicOptions = {}): Promise<void> {
    this.assertOpen();
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError('partitions must be a positive integer');
    const existing = new Set(await this.admin.listTopics());
    const missing = [...new Set(names)].filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    // Resolves false when another client created some of them first; they exist either way.
    await this.admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: partitions,
        // Kafka deletes whole segments only: roll them as often as the retention, or nothing goes.
        ...(options.retentionMs !== undefined
          ? { configEntries: [{ name: 'retention.ms', value: String(options.retentionMs) }, { name: 'segment.ms', value: String(options.retentionMs) }] }
          : {}),
      })),
      waitForLeaders: true,
    });
  }

  async liveGroups(prefix: string): Promise<string[]> {
    this.assertOpen();
    const ids = (await this.admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
    if (ids.length === 0) return [];
    const { groups } = await this.admin.describeGroups(ids);
    return groups.filter((group) => group.members.length > 0).map((group) => group.groupId);
  }

  async consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    this.assertOpen();
    const lag: Record<string, number> = Object.fromEntries(topics.map((topic) => [topic, 0]));
    const existing = new Set(await this.admin.listTopics());
    const known = [...new Set(topics)].filter((topic) => existing.has(topic));
    if (known.length === 0) return lag;
    const committed = await this.admin.fetchOffsets({ groupId, topics: known });
    await Promise.all(committed.map(async ({ topic, partitions }) => {
      const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((end) => [end.partition, Number(end.high)]));
      for (const { partition, offset } of partitions) {
        const next = Number(offset); // -1: never committed
        if (next >= 0) lag[topic] += Math.max(0, (ends.get(partition) ?? next) - next);
      }
    }));
    return lag;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const timeoutMs = this.options.pingTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.admin.describeCluster(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running].map((consumer) => consumer.stop()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('results bus is closed');
  }
}

/** One `consume` call: a kafkajs consumer in the group, delivering batch by batch. */
class KafkaGroupConsumer {
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

function assertConsumeOptions(options: ConsumeOptions): void {
  if (!options.groupId) throw new TypeError('groupId is required');
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new TypeError('topics must name at least one topic');
  }
  const handlers = [options.onMessage, options.onBatch].filter((handler) => handler !== undefined);
  if (handlers.length !== 1 || typeof handlers[0] !== 'function') {
    throw new TypeError('give exactly one of onMessage or onBatch');
  }
}
