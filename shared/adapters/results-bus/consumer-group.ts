/**
 * The in-process bus's consumer groups: each keeps one committed offset per partition, and its
 * members share the partitions (assigned round robin, reassigned whenever a member joins or
 * leaves). A worker per assigned partition delivers it to its member and commits after each
 * handled message or batch; every commit is also told to `onCommit` (the bus journals it).
 */
import type { ConsumeOptions, IncomingBatch, IncomingMessage } from '../../ports/results-bus';
import { asError, durableOf, retryUntilHandled, type RetryControl } from './handler-retry';
import type { PartitionLog, StoredMessage, Topic } from './partition-log';

export type CommitListener = (topic: string, partition: number, nextOffset: number) => void;

export class Member {
  constructor(readonly options: ConsumeOptions) {}
}

/**
 * Delivers one partition to one member until revoked; commits after each handled message/batch.
 *
 * Pipelined batches (the handler resolved with `{ durable }`): the worker goes on from the end of
 * the batch at once, and commits go through `commits`, one after another in delivery order, each
 * after its batch's `durable`. A `durable` that rejects voids the commits queued after it (the
 * generation moves on) and rewinds the worker to that batch's first offset. Revoking waits for
 * the queue: the partition's next member starts from what is durable.
 */
class PartitionWorker {
  private revoked = false;
  private readonly revocation = new AbortController();
  /** Aborted (then replaced) to wake the worker when a rewind is due. */
  private rewindSignal = new AbortController();
  private rewindTo: number | undefined;
  private generation = 0;
  private commits: Promise<void> = Promise.resolve();
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

  /** Stops delivering; resolves once the running handler call (if any) and the queued commits have finished. */
  async revoke(): Promise<void> {
    this.revoked = true;
    this.revocation.abort();
    await this.loop;
    await this.commits;
  }

  private async run(): Promise<void> {
    const { onMessage, onBatch, onError } = this.member.options;
    const control: RetryControl = {
      givingUp: () => this.revoked,
      gaveUp: this.revocation.signal,
      onError,
    };
    let position = this.group.committedOffset(this.topic, this.partition) ?? this.log.startOffset;
    while (!this.revoked) {
      if (this.rewindTo !== undefined) {
        position = this.rewindTo;
        this.rewindTo = undefined;
      }
      const { firstOffset, messages } = this.log.read(position, this.maxBatchSize);
      if (messages.length === 0) {
        await this.log.waitForOffset(position, this.revocation.signal, this.rewindSignal.signal);
        continue;
      }
      const incoming = messages.map((stored, i) => this.toIncoming(stored, firstOffset + i));
      if (onMessage) {
        for (const message of incoming) {
          if (!(await retryUntilHandled(() => onMessage(message), control))) return;
          this.group.commit(this.topic, this.partition, message.offset + 1);
          position = message.offset + 1;
          if (this.revoked) return;
        }
      } else if (onBatch) {
        const batch: IncomingBatch = { topic: this.topic, partition: this.partition, messages: incoming };
        let outcome: unknown;
        if (!(await retryUntilHandled(async () => void (outcome = await onBatch(batch)), control))) return;
        position = firstOffset + incoming.length;
        this.commitAfter(durableOf(outcome), firstOffset, position);
      } else {
        return;
      }
    }
  }

  /** Queues the commit of [first, end) behind the earlier ones, once `durable` resolved. */
  private commitAfter(durable: Promise<void> | undefined, first: number, end: number): void {
    const generation = this.generation;
    this.commits = this.commits.then(async () => {
      if (generation !== this.generation) return;
      try {
        await durable;
      } catch (thrown) {
        if (generation !== this.generation) return;
        this.generation += 1;
        this.report(thrown);
        this.rewindTo = first;
        this.rewindSignal.abort();
        this.rewindSignal = new AbortController();
        return;
      }
      if (generation === this.generation) this.group.commit(this.topic, this.partition, end);
    });
  }

  private report(thrown: unknown): void {
    try {
      this.member.options.onError?.(asError(thrown));
    } catch {
      // onError must not break delivery
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

export class Group {
  private readonly members: Member[] = [];

  get memberCount(): number {
    return this.members.length;
  }
  private readonly committed = new Map<string, number>();
  private readonly workers = new Map<string, PartitionWorker>();
  private rebalancing: Promise<void> = Promise.resolve();

  /** `committed`: the offsets the group committed before (restored from the bus's journal). */
  constructor(
    private readonly topics: (name: string) => Topic,
    private readonly maxBatchSize: number,
    private readonly onCommit: CommitListener,
    committed: Iterable<{ topic: string; partition: number; offset: number }> = [],
  ) {
    for (const entry of committed) this.committed.set(partitionKey(entry.topic, entry.partition), entry.offset);
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(partitionKey(topic, partition));
  }

  commit(topic: string, partition: number, nextOffset: number): void {
    this.committed.set(partitionKey(topic, partition), nextOffset);
    this.onCommit(topic, partition, nextOffset);
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
      // A group that never committed here fixes its start now, as a commit: at the end, or at the
      // oldest kept message (what it would read anyway), so the journal keeps what it still needs.
      if (this.committedOffset(topic, partition) === undefined) {
        this.commit(topic, partition, member.options.fromBeginning ? log.startOffset : log.endOffset);
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

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
