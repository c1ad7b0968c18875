/**
 * In-process results bus: the embedded adapter for the all-in-one process and for tests.
 *
 * Messages are kept in memory per topic and partition (partition-log.ts); each consumer group
 * keeps one committed offset per partition, and its members share the partitions
 * (consumer-group.ts). Everything in the port's contract holds within the process.
 *
 * Durability: `openJournaledInProcessResultsBus(path)` journals the bus on LMDB
 * (lmdb-bus-journal.ts). Then `produce` resolves only once its messages are flushed to disk, and
 * consumers see a message only once it is (so nothing is handled that a crash could undo); a
 * restart reloads the kept messages and every group's committed offsets, so a group resumes
 * where it was. The journal is bounded: a partition's messages that every group known to the
 * journal has committed are deleted, and so are those retention drops. `createInProcessResultsBus`
 * keeps everything in memory only (tests): a restart starts from empty topics.
 *
 * What differs from Kafka:
 * - Only consumers of the same process share a group: another process has its own bus.
 * - The start position of a group that has never committed is recorded (as a commit) at the
 *   first assignment, so a member that stops before handling anything and comes back still gets
 *   what was produced in between (Kafka would look up the end again and skip it).
 * - With `maxMessagesPerPartition` set, old messages are dropped like Kafka's retention drops old
 *   segments: a group that was further behind skips what was dropped. Unset, memory grows with
 *   every message produced. A journaled bus also drops, at restart, what every known group had
 *   committed: a group that joins later with fromBeginning starts after that.
 */
import type { Consumer, ConsumeOptions, OutgoingMessage, ResultsBus } from '../../ports/results-bus';
import { Group, Member } from './consumer-group';
import { isStorageUnavailable } from '../../ports/storage-unavailable';
import type { StorageHealth } from '../storage/storage-health';
import { LmdbBusJournal, type JournalContents } from './lmdb-bus-journal';
import { PartitionLog, Topic, toStored, type StoredMessage } from './partition-log';

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
  return new InProcessResultsBus(options, null);
}

export interface JournaledBusOptions extends InProcessResultsBusOptions {
  /** Told of journal writes that failed where nothing awaited them (commits, trims). */
  onJournalError?: (error: Error) => void;
  /** Where a write the disk refuses is reported (the embedded stores' shared health). */
  storageHealth?: StorageHealth;
}

/** The in-process bus journaled in the LMDB environment at `path` (created if missing). */
export async function openJournaledInProcessResultsBus(path: string, options: JournaledBusOptions = {}): Promise<ResultsBus> {
  const journal = LmdbBusJournal.open(path, options.onJournalError ?? (() => undefined), options.storageHealth);
  return new InProcessResultsBus(options, journal);
}

class InProcessResultsBus implements ResultsBus {
  private readonly topicsByName = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly running = new Set<Consumer>();
  private closed = false;
  /** Set once a journal write failed: produce refuses from then on (see `produce`). */
  private failure: Error | null = null;
  /** Per topic, the first offset of each partition still in the journal. */
  private readonly journalStart = new Map<string, number[]>();
  private readonly defaultPartitions: number;
  private readonly maxBatchSize: number;
  private readonly retain: number | undefined;

  constructor(options: InProcessResultsBusOptions, private readonly journal: LmdbBusJournal | null) {
    this.defaultPartitions = positiveInteger(options.defaultPartitions ?? 1, 'defaultPartitions');
    this.maxBatchSize = positiveInteger(options.maxBatchSize ?? 500, 'maxBatchSize');
    this.retain =
      options.maxMessagesPerPartition === undefined
        ? undefined
        : positiveInteger(options.maxMessagesPerPartition, 'maxMessagesPerPartition');
    if (journal) this.restore(journal.load(this.retain));
  }

  private restore(contents: JournalContents): void {
    for (const [name, partitions] of contents.topics) {
      this.topicsByName.set(name, new Topic(name, partitions.map((entry) => new PartitionLog(this.retain, entry.startOffset, entry.messages))));
      this.journalStart.set(name, partitions.map((entry) => entry.startOffset));
    }
    for (const [groupId, committed] of contents.groups) this.groups.set(groupId, this.newGroup(groupId, committed));
  }

  private newGroup(groupId: string, committed: Array<{ topic: string; partition: number; offset: number }> = []): Group {
    return new Group((name) => this.topic(name, this.defaultPartitions), this.maxBatchSize, (topic, partition, next) => this.committed(groupId, topic, partition, next), committed);
  }

  /**
   * Produces the messages. Journaled, each partition's messages get their offsets at once (in
   * call order), are written, and become readable only after the flush. A write the disk refused
   * gives its offsets back (nothing of it was stored); any other failed write leaves a gap no
   * later message may pass, so the bus refuses every produce after it (ping fails too).
   */
  async produce(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (this.failure) throw new Error(`results bus journal failed: ${this.failure.message}`);
    assertTopicName(topic);
    const stored = messages.map(toStored);
    const target = this.topic(topic, this.defaultPartitions);
    const byPartition = new Map<number, StoredMessage[]>();
    for (const message of stored) {
      const partition = target.partitionFor(message.key);
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, (list = []));
      list.push(message);
    }
    const reserved = [...byPartition].map(([partition, list]) => ({ partition, list, first: target.partitions[partition].reserve(list) }));
    if (this.journal) {
      const journal = this.journal;
      try {
        await Promise.all(reserved.map(({ partition, list, first }) => journal.append(topic, partition, first, list)));
      } catch (error) {
        // Refused by the disk: nothing of the write is stored, so its offsets are given back and
        // the bus goes on (the producer is told 503 and sends again). Any other failure may have
        // left a gap that no later message may pass: the bus refuses from then on.
        if (!isStorageUnavailable(error)) this.failure ??= error as Error;
        else for (const { partition, list, first } of reserved) target.partitions[partition].abandon(first, list.length);
        throw error;
      }
    }
    for (const { partition, list, first } of reserved) {
      const log = target.partitions[partition];
      if (log.hasAbandonedBefore(first)) {
        // An earlier write was refused but this later one was stored: its offsets are taken, and
        // the refused ones between cannot be given back.
        this.failure ??= new Error('a journal write was refused by the disk while a later one was stored; restart to recover');
      }
      log.publishThrough(first + list.length);
      this.trimJournal(topic, partition);
    }
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    this.assertOpen();
    assertConsumeOptions(options);
    for (const name of options.topics) this.topic(name, this.defaultPartitions);
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = this.newGroup(options.groupId);
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

  async consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    this.assertOpen();
    const group = this.groups.get(groupId);
    const lag: Record<string, number> = {};
    for (const name of topics) {
      lag[name] = 0;
      const topic = this.topicsByName.get(name);
      if (!group || !topic) continue;
      topic.partitions.forEach((log, partition) => {
        const committed = group.committedOffset(name, partition);
        if (committed !== undefined) lag[name] += Math.max(0, log.endOffset - Math.max(committed, log.startOffset));
      });
    }
    return lag;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    if (this.failure) throw new Error(`results bus journal failed: ${this.failure.message}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.running].map((consumer) => consumer.stop()));
    await this.journal?.close();
  }

  /** The topic with this name, created with `partitions` partitions if it does not exist. */
  private topic(name: string, partitions: number): Topic {
    let topic = this.topicsByName.get(name);
    if (!topic) {
      topic = Topic.empty(name, partitions, this.retain);
      this.topicsByName.set(name, topic);
      this.journal?.recordTopic(name, partitions);
      this.journalStart.set(name, Array.from({ length: partitions }, () => 0));
    }
    return topic;
  }

  private committed(groupId: string, topic: string, partition: number, nextOffset: number): void {
    if (!this.journal) return;
    this.journal.commit(groupId, topic, partition, nextOffset);
    this.trimJournal(topic, partition);
  }

  /**
   * Deletes the partition's journaled messages that no group needs: those before the lowest
   * offset committed by the groups known to the journal (none known: none needed beyond
   * retention), and those retention dropped from memory.
   */
  private trimJournal(topic: string, partition: number): void {
    const starts = this.journalStart.get(topic);
    if (!this.journal || !starts) return;
    let floor = this.topicsByName.get(topic)!.partitions[partition].startOffset;
    let lowestCommitted = Infinity;
    for (const group of this.groups.values()) lowestCommitted = Math.min(lowestCommitted, group.committedOffset(topic, partition) ?? Infinity);
    if (lowestCommitted !== Infinity) floor = Math.max(floor, lowestCommitted);
    if (floor <= starts[partition]) return;
    starts[partition] = floor;
    this.journal.trim(topic, partition, floor);
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
