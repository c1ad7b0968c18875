/**
 * The Kafka adapter's offsets to commit, per partition, with the port's barrier for pipelined
 * batches: a batch's next offset becomes due only once its `durable` resolved and every batch
 * queued before it on the partition became due. A `durable` that rejects voids the batches queued
 * after it (their partition's generation moves on) and is reported with its batch's first offset,
 * for the consumer to deliver the partition again from there.
 *
 * A batch without `durable` on a partition with nothing pending becomes due at once (the plain
 * at-least-once path: no promise, no microtask).
 */
export interface DueOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one after the last handled message. */
  offset: string;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  generation: number;
  pending: number;
  chain: Promise<void>;
}

export type DurableFailure = (topic: string, partition: number, firstOffset: number, error: unknown) => void;

export class CommitQueue {
  private readonly partitions = new Map<string, PartitionQueue>();
  private readonly due = new Map<string, DueOffset>();

  constructor(
    private readonly onFailure: DurableFailure,
    /** Told when a pipelined batch's offset became due (so that it need not wait for the next batch to be committed). */
    private readonly onDue: () => void = () => undefined,
  ) {}

  /** Queues the batch [firstOffset, lastOffset]; `durable` undefined: it is already done. */
  add(topic: string, partition: number, firstOffset: number, lastOffset: number, durable?: Promise<void>): void {
    const key = `${topic}:${partition}`;
    let queue = this.partitions.get(key);
    if (!queue) this.partitions.set(key, (queue = { topic, partition, generation: 0, pending: 0, chain: Promise.resolve() }));
    const next: DueOffset = { topic, partition, offset: String(lastOffset + 1) };
    if (!durable && queue.pending === 0) {
      this.due.set(key, next);
      return;
    }
    const current = queue;
    const generation = current.generation;
    current.pending += 1;
    current.chain = current.chain.then(async () => {
      try {
        if (generation !== current.generation) return;
        try {
          await durable;
        } catch (error) {
          if (generation !== current.generation) return;
          current.generation += 1;
          this.onFailure(topic, partition, firstOffset, error);
          return;
        }
        if (generation === current.generation && this.partitions.get(key) === current) {
          this.due.set(key, next);
          this.onDue();
        }
      } finally {
        current.pending -= 1;
      }
    });
  }

  /** Forgets the partitions this member no longer owns: their new owner commits them. */
  retain(assignment: Record<string, number[] | undefined>): void {
    for (const [key, queue] of this.partitions) {
      if (assignment[queue.topic]?.includes(queue.partition)) continue;
      queue.generation += 1;
      this.partitions.delete(key);
      this.due.delete(key);
    }
  }

  /** The offsets due, which are forgotten here (the caller commits them). */
  takeDue(): DueOffset[] {
    const offsets = [...this.due.values()];
    this.due.clear();
    return offsets;
  }

  /** Puts back offsets whose commit failed, unless a later one became due meanwhile. */
  putBack(offsets: DueOffset[]): void {
    for (const entry of offsets) {
      const key = `${entry.topic}:${entry.partition}`;
      if (!this.due.has(key) && this.partitions.has(key)) this.due.set(key, entry);
    }
  }

  /** Resolves once every queued batch's `durable` has settled (and its offset is due or voided). */
  async settled(): Promise<void> {
    await Promise.all([...this.partitions.values()].map((queue) => queue.chain));
  }
}
