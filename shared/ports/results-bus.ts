/**
 * Results bus port: durable topics of keyed messages, read by consumer groups. Kafka in
 * production; an in-process adapter for the all-in-one process and tests.
 *
 * Semantics every adapter provides (the contract suite in test/contract checks them):
 *
 * - Topics are split into partitions. A message goes to the partition its key hashes to, so all
 *   messages with one key (e.g. one campaign id) land in one partition, in the order they were
 *   produced, and are delivered in that order. Messages of different partitions are independent.
 * - A consumer group reads every message of its topics: different groups each get everything.
 *   Consumers that share a group share its partitions: each partition is read by one member at a
 *   time, so with a stable membership every message is handled by exactly one of them.
 * - At least once: a message's offset is committed only after its handler resolved. A consumer
 *   that dies, or a partition that moves to another member, resumes at the committed offset, so
 *   nothing is lost; messages whose handler resolved but whose offset was not committed yet may be
 *   delivered again (after a crash, or when a rebalance takes a partition away before it was
 *   committed: adapters may commit periodically rather than after every handler). `stop()` commits
 *   before it resolves, so a clean stop causes no redelivery.
 * - A handler that throws (or rejects) does not lose the message: the same message (or batch) is
 *   retried in place, with a growing pause (up to a few seconds), until the handler succeeds or
 *   the consumer stops. Its partition waits meanwhile, which keeps per-key order; `onError` is told
 *   of every failure. A handler should therefore deal with messages it can never process itself
 *   (log and return) rather than throw forever.
 * - Handler calls for one partition never overlap; calls for different partitions may run
 *   concurrently.
 * - Pipelining (batch handlers only): a handler may resolve with `{ durable }` once it has done
 *   the part that decides what the batch means, leaving a slow part (a store write) running.
 *   The next batch of the partition may then be delivered at once, while that part finishes.
 *   Barrier: the batch's offsets are committed only after its `durable` resolved and after every
 *   earlier batch's of the partition did (so in order, never ahead of what is durable); `stop()`
 *   waits for every pending `durable` to settle before its final commit, and the in-process bus
 *   waits for them before it hands the partition to another member. A `durable` that rejects is
 *   a failure of its batch: `onError` is told, nothing of the partition from that batch on is
 *   committed by that delivery, and the partition is delivered again from that batch's first
 *   message (after the batches already delivered, which the handler must then treat as not done:
 *   a later `durable` of the same partition should reject too). On Kafka a rebalance does not wait
 *   for pending `durable`s: the partition's next reader may get the batch again while the
 *   previous reader's slow part is still running, so that part must be idempotent.
 */

/** A message to produce. */
export interface OutgoingMessage {
  /** Decides the partition: messages with the same key stay in order. */
  key: string;
  /** Strings are stored as UTF-8. */
  value: Buffer | string;
  headers?: Record<string, string>;
}

/** A message as a consumer receives it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Position in its partition: 0 for the first message, +1 for each next one. */
  offset: number;
  key: string;
  value: Buffer;
  /** Always present; {} when the message had none. */
  headers: Record<string, string>;
  /** When the message was stored (ms since the epoch). */
  timestamp: number;
}

/** Consecutive messages of one partition, oldest first. */
export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: IncomingMessage[];
}

interface ConsumeCommon {
  /** Members of one group share its partitions; each group reads every message. */
  groupId: string;
  topics: string[];
  /**
   * Where the group starts reading a partition it has never committed an offset for: at its
   * first message (true) or after its last one at the time the partition is assigned (false).
   * Once the group has committed, it always resumes at the committed offset.
   */
  fromBeginning: boolean;
  /** Told of every handler failure (before the retry) and of consumer errors; never throws. */
  onError?: (error: Error) => void;
}

export interface ConsumeEachMessage extends ConsumeCommon {
  /** One message at a time; its offset is committed after the promise resolved. */
  onMessage: (message: IncomingMessage) => Promise<void> | void;
  onBatch?: never;
}

/** What a pipelining batch handler resolves with (see "Pipelining" above). */
export interface PipelinedBatch {
  /** Resolves once the batch's work is durable; its offsets are committed only after that. */
  durable: Promise<void>;
}

export interface ConsumeEachBatch extends ConsumeCommon {
  /**
   * A batch of one partition; all its offsets are committed after the promise resolved, or, if it
   * resolved with `{ durable }`, after that resolved too (the next batch may come meanwhile).
   */
  onBatch: (batch: IncomingBatch) => Promise<void | PipelinedBatch> | void | PipelinedBatch;
  onMessage?: never;
}

export type ConsumeOptions = ConsumeEachMessage | ConsumeEachBatch;

export interface Consumer {
  /**
   * Leaves the group. Waits for a running handler call to finish (so a handler that never
   * settles blocks it), commits the offsets of every message handled, and delivers nothing more.
   * The group's other members then take over its partitions. Calling it again is harmless.
   * A handler must not await its own consumer's stop (that waits for the handler): deadlock.
   */
  stop(): Promise<void>;
}

export interface TopicOptions {
  retentionMs?: number;
}

export interface ResultsBus {
  /**
   * Appends the messages (each to the partition of its key) and resolves once they are durable:
   * acknowledged by all in-sync replicas on Kafka, stored in memory in-process. Messages of one
   * call with the same key keep their order. A topic that does not exist yet is created with the
   * default number of partitions (1); call `ensureTopics` first to choose.
   */
  produce(topic: string, messages: OutgoingMessage[]): Promise<void>;

  /**
   * Joins the group and starts delivering. Resolves once this consumer has its partitions and has
   * fixed where it starts in each, so any message produced after that is delivered to the group.
   * Missing topics are created with the default number of partitions.
   */
  consume(options: ConsumeOptions): Promise<Consumer>;

  /**
   * Creates the topics that do not exist yet with this many partitions, and resolves once they can
   * be used. Existing topics are left unchanged (whatever their partition count and retention).
   * `retentionMs`: a topic created here drops its messages after about that long (Kafka's
   * `retention.ms`); the in-process bus ignores it (it keeps the newest messages by count).
   */
  ensureTopics(names: string[], partitions: number, options?: TopicOptions): Promise<void>;

  /**
   * Ids of the consumer groups that start with `prefix` and have at least one member now (any
   * client of the same bus). Membership changes show within a few seconds on Kafka.
   */
  liveGroups(prefix: string): Promise<string[]>;

  /**
   * Per topic, how many messages the group has not committed yet: summed over the topic's
   * partitions, the end offset minus the group's committed offset. A partition the group has
   * never committed counts 0, and so does a topic that does not exist (for /metrics).
   */
  consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>>;

  /** A cheap round trip that fails when the bus is unusable (for /healthz and status). */
  ping(): Promise<void>;

  /** Stops every consumer still running (as `Consumer.stop`) and releases connections. */
  close(): Promise<void>;
}
