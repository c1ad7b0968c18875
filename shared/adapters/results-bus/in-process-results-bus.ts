/**
 * In-process results bus: the embedded adapter for the all-in-one process and for tests.
 *
 * Messages are kept in memory per topic and partition; each consumer group keeps one committed
 * offset per partition, and its members share the partitions (assigned round robin, reassigned
 * whenever a member joins or leaves). Everything in the port's contract holds within the process.
 *
 * What differs from Kafka:
 * - Nothing is durable: messages and committed offsets live as long as the process. "Durable"
 *   in `produce` means stored in memory; a restart starts from empty topics.
 * - Only consumers of the same process share a group: another process has its own bus.
 * - The start position of a group that has never committed (fromBeginning: false) is recorded at
 *   the first assignment, so a member that stops before handling anything and comes back still
 *   gets what was produced in between (Kafka would look up the end again and skip it).
 * - With `maxMessagesPerPartition` set, old messages are dropped like Kafka's retention drops old
 *   segments: a group that was further behind skips what was dropped. Unset, memory grows with
 *   every message produced.
 */
import type {
  Consumer,
  ConsumeOptions,
  IncomingBatch,
  IncomingMessage,
  OutgoingMessage,
  ResultsBus,
} from '../../ports/results-bus';
import { retryUntilHandled, type RetryControl } from './handler-retry';

export interface InProcessResultsBusOptions {
  /** Partitions of a topic created implicitly by `produce` or `consume`. Default 1. */
  defaultPartitions?: number;
  /** Most messages handed to one `onBatch` call. Default 500. */
  maxBatchSize?: number;
  /**
   * Keep at least this many of the newest messages per partition and drop older ones (in chunks,
   * so up to twice as many are held). Default: keep everything.
   */
  maxMessagesPerPartition?: number;
}

export function createInProcessResultsBus(options: InProcessResultsBusOptions = {}): ResultsBus {
  return new InProcessResultsBus(options);
}

interface StoredMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** One partition's messages; offsets start at 0 and `baseOffset` moves up as old ones are dropped. */
class PartitionLog {
  private baseOffset = 0;
  private messages: StoredMessage[] = [];
  private readonly appendWaiters = new Set<() => void>();

  constructor(private readonly retain: number | undefined) {}

  get startOffset(): number {
    return this.baseOffset;
  }

  get endOffset(): number {
    return this.baseOffset + this.messages.length;
  }

  append(message: StoredMessage): void {
    this.messages.push(message);
    if (this.retain !== undefined && this.messages.length >= 2 * this.retain) {
      const dropped = this.messages.length - this.retain;
      this.messages = this.messages.slice(dropped);
      this.baseOffset += dropped;
    }
    for (const wake of this.appendWaiters) wake();
    this.appendWaiters.clear();
  }

  /** Up to `max` messages from `offset` on (from the oldest kept one if `offset` was dropped). */
  read(offset: number, max: number): { firstOffset: number; messages: StoredMessage[] } {
    const firstOffset = Math.max(offset, this.baseOffset);
    const start = firstOffset - this.baseOffset;
    return { firstOffset, messages: this.messages.slice(start, start + max) };
  }

  /** Resolves once a message exists at `offset`, or when `cancelled` resolves. */
  async waitForOffset(offset: number, cancelled: Promise<void>): Promise<void> {
    if (this.endOffset > offset) return;
    let wake!: () => void;
    const appended = new Promise<void>((resolve) => (wake = resolve));
    this.appendWaiters.add(wake);
    try {
      await Promise.race([appended, cancelled]);
    } finally {
      this.appendWaiters.delete(wake);
    }
  }
}

class Topic {
  readonly partitions: PartitionLog[];

  constructor(readonly name: string, partitionCount: number, retain: number | undefined) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog(retain));
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

class Member {
  constructor(readonly options: ConsumeOptions) {}
}

/** Delivers one partition to one member until revoked; commits after each handled message/batch. */
class PartitionWorker {
  private revoked = false;
  private signalRevoked!: () => void;
  private readonly revokedSignal = new Promise<void>((resolve) => (this.signalRevoked = resolve));
  private readonly loop: Promise<void>;

  constructor(
    readonly member: Member,
    private readonly group: Group,
    private readonly topic: string,
    private readonly partition: number,
    private readonly log: PartitionLog,
    private readonly maxBatchSize: number,
  ) {
    this.loop = this.run();
  }

  /** Stops delivering and resolves once the running handler call (if any) has finished. */
  async revoke(): Promise<void> {
    this.revoked = true;
    this.signalRevoked();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { onMessage, onBatch, onError } = this.member.options;
    const control: RetryControl = {
      givingUp: () => this.revoked,
      gaveUp: this.revokedSignal,
      onError,
    };
    while (!this.revoked) {
      const position = this.group.committedOffset(this.topic, this.partition) ?? this.log.startOffset;
      const { firstOffset, messages } = this.log.read(position, this.maxBatchSize);
      if (messages.length === 0) {
        await this.log.waitForOffset(position, this.revokedSignal);
        continue;
      }
      const incoming = messages.map((stored, i) => this.toIncoming(stored, firstOffset + i));
      if (onMessage) {
        for (const message of incoming) {
          if (!(await retryUntilHandled(() => onMessage(message), control))) return;
          this.group.commit(this.topic, this.partition, message.offset + 1);
          if (this.revoked) return;
        }
      } else if (onBatch) {
        const batch: IncomingBatch = { topic: this.topic, partition: this.partition, messages: incoming };
        if (!(await retryUntilHandled(() => onBatch(batch), control))) return;
        this.group.commit(this.topic, this.partition, firstOffset + incoming.length);
      } else {
        return;
      }
    }
  }

  private toIncoming(stored: StoredMessage, offset: number): IncomingMessage {
    return {
      topic: this.topic,
      partition: this.partition,
      offset,
      key: stored.key,
      // Copies: a handler that mutates what it got must not change what other groups get.
      value: Buffer.from(stored.value),
      headers: { ...stored.headers },
      timestamp: stored.timestamp,
    };
  }
}

class Group {
  private readonly members: Member[] = [];

  get memberCount(): number {
    return this.members.length;
  }
  private readonly committed = new Map<string, number>();
  private readonly workers = new Map<string, PartitionWorker>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    private readonly topics: (name: string) => Topic,
    private readonly maxBatchSize: number,
  ) {}

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(partitionKey(topic, partition));
  }

  commit(topic: string, partition: number, nextOffset: number): void {
    this.committed.set(partitionKey(topic, partition), nextOffset);
  }

  join(member: Member): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  leave(member: Member): Promise<void> {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    return this.rebalance();
  }

  /** Reassigns every partition; rebalances run one after another. */
  private rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.catch(() => undefined).then(() => this.applyAssignment());
    return this.rebalancing;
  }

  private async applyAssignment(): Promise<void> {
    const target = this.assignment();
    await Promise.all(
      [...this.workers].map(async ([key, worker]) => {
        if (target.get(key)?.member === worker.member) return;
        this.workers.delete(key);
        await worker.revoke();
      }),
    );
    for (const [key, { member, topic, partition }] of target) {
      if (this.workers.has(key)) continue;
      const log = this.topics(topic).partitions[partition];
      if (this.committedOffset(topic, partition) === undefined && !member.options.fromBeginning) {
        this.commit(topic, partition, log.endOffset);
      }
      this.workers.set(key, new PartitionWorker(member, this, topic, partition, log, this.maxBatchSize));
    }
  }

  /** Partition i of a topic goes to member i mod n among the members (in join order) reading it. */
  private assignment(): Map<string, { member: Member; topic: string; partition: number }> {
    const assignment = new Map<string, { member: Member; topic: string; partition: number }>();
    const topicNames = new Set(this.members.flatMap((member) => member.options.topics));
    for (const name of topicNames) {
      const readers = this.members.filter((member) => member.options.topics.includes(name));
      const partitionCount = this.topics(name).partitions.length;
      for (let partition = 0; partition < partitionCount; partition++) {
        const member = readers[partition % readers.length];
        assignment.set(partitionKey(name, partition), { member, topic: name, partition });
      }
    }
    return assignment;
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

class InProcessResultsBus implements ResultsBus {
  private readonly topicsByName = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly running = new Set<Consumer>();
  private closed = false;
  private readonly defaultPartitions: number;
  private readonly maxBatchSize: number;
  private readonly retain: number | undefined;

  constructor(options: InProcessResultsBusOptions) {
    this.defaultPartitions = positiveInteger(options.defaultPartitions ?? 1, 'defaultPartitions');
    this.maxBatchSize = positiveInteger(options.maxBatchSize ?? 500, 'maxBatchSize');
    this.retain =
      options.maxMessagesPerPartition === undefined
        ? undefined
        : positiveInteger(options.maxMessagesPerPartition, 'maxMessagesPerPartition');
  }

  async produce(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    assertTopicName(topic);
    const stored = messages.map(toStored);
    const target = this.topic(topic, this.defaultPartitions);
    for (const message of stored) {
      target.partitions[target.partitionFor(message.key)].append(message);
    }
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    this.assertOpen();
    assertConsumeOptions(options);
    for (const name of options.topics) this.topic(name, this.defaultPartitions);
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = new Group((name) => this.topic(name, this.defaultPartitions), this.maxBatchSize);
      this.groups.set(options.groupId, group);
    }
    const member = new Member({ ...options, topics: [...new Set(options.topics)] });
    await group.join(member);

    const joinedGroup = group;
    let stopping: Promise<void> | undefined;
    const consumer: Consumer = {
      stop: () => {
        stopping ??= joinedGroup.leave(member).finally(() => this.running.delete(consumer));
        return stopping;
      },
    };
    this.running.add(consumer);
    return consumer;
  }

  async liveGroups(prefix: string): Promise<string[]> {
    this.assertOpen();
    return [...this.groups].filter(([id, group]) => id.startsWith(prefix) && group.memberCount > 0).map(([id]) => id);
  }

  async ensureTopics(names: string[], partitions: number): Promise<void> {
    this.assertOpen();
    positiveInteger(partitions, 'partitions');
    for (const name of names) {
      assertTopicName(name);
      this.topic(name, partitions);
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((consumer) => consumer.stop()));
  }

  /** The topic with this name, created with `partitions` partitions if it does not exist. */
  private topic(name: string, partitions: number): Topic {
    let topic = this.topicsByName.get(name);
    if (!topic) {
      topic = new Topic(name, partitions, this.retain);
      this.topicsByName.set(name, topic);
    }
    return topic;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('results bus is closed');
  }
}

function toStored(message: OutgoingMessage): StoredMessage {
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

function assertConsumeOptions(options: ConsumeOptions): void {
  if (!options.groupId) throw new TypeError('groupId is required');
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new TypeError('topics must name at least one topic');
  }
  options.topics.forEach(assertTopicName);
  const handlers = [options.onMessage, options.onBatch].filter((handler) => handler !== undefined);
  if (handlers.length !== 1 || typeof handlers[0] !== 'function') {
    throw new TypeError('give exactly one of onMessage or onBatch');
  }
}

function assertTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('topic name must be a non-empty string');
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
