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
  type Producer,
} from 'kafkajs';
import type {
  Consumer,
  ConsumeOptions,
  OutgoingMessage,
  ResultsBus,
  TopicOptions,
} from '../../ports/results-bus';
import { forwardLog, noDelaySocketFactory, type KafkaLogRecord } from './kafka-client-parts';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../service/startup-retry';
import { KafkaGroupConsumer } from './kafka-group-consumer';
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

/** Tries of ensureTopics on retriable broker errors (with DEFAULT_BACKOFF: about 10 s at most). */
const ENSURE_TOPICS_TRIES = 6;

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
    // Retriable broker errors (a topic another client is creating at this moment: "This server
    // does not host this topic-partition" while its leaders are elected) are tried again, a few
    // times with backoff: creating a topic that exists is harmless, so a retry is always safe.
    // Resolves only once every partition of every topic has a leader, also for a topic that
    // another client created a moment ago: a consumer that joins before that is given partitions
    // it cannot fetch from, and a gateway that subscribed then died after it was healthy.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.createMissingTopics(names, partitions, options);
        return await this.assertLeadersElected(names);
      } catch (error) {
        if (attempt >= ENSURE_TOPICS_TRIES || (error as { retriable?: boolean }).retriable !== true || this.closed) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, DEFAULT_BACKOFF)));
      }
    }
  }

  private async createMissingTopics(names: string[], partitions: number, options: TopicOptions): Promise<void> {
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

  /** Throws a retriable error while some partition of these topics has no leader. */
  private async assertLeadersElected(names: string[]): Promise<void> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [...new Set(names)] });
    const leaderless = topics.flatMap((topic) =>
      topic.partitions.length === 0 ? [`${topic.name} (no partitions yet)`] : topic.partitions.filter((partition) => partition.leader < 0).map((partition) => `${topic.name}[${partition.partitionId}]`),
    );
    if (leaderless.length > 0) throw Object.assign(new Error(`no leader yet for ${leaderless.join(', ')}`), { retriable: true });
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
