/**
 * The in-process results bus's journal on LMDB (lmdb-js), so that what `produce` acknowledged
 * survives a kill -9 and consumer groups resume at their committed offsets after a restart.
 *
 * One LMDB environment (a directory under DATA_DIR) holds four named databases:
 *   topics    name                           -> partition count
 *   messages  [topic, partition, offset]     -> { key, value, headers, timestamp }  (MessagePack)
 *   heads     [topic, partition]             -> the offset after the last message ever written
 *   offsets   [group id, topic, partition]   -> { offset, at }: the group's committed next offset
 *
 * - `append` resolves only once its transaction is committed and flushed to disk (as the embedded
 *   event store: lmdb-js batches the writes issued in one event turn into one transaction, so
 *   concurrent produces share one flush). LMDB commits transactions in order, so once a later
 *   append resolved, every earlier one is durable too.
 * - `commit` and `trim` are not awaited by the bus: at least once allows losing the newest commit
 *   in a crash (the messages are then delivered again), and a trim that did not happen is redone.
 * - Every write goes through the embedded stores' LmdbWriteGuard: a write the disk refuses
 *   rejects with StorageUnavailableError (nothing of its transaction is stored), is reported to
 *   the shared StorageHealth (/healthz), and never ends the process.
 * - A group whose last commit is older than OFFSETS_RETENTION_MS is forgotten at open (Kafka's
 *   offsets.retention.minutes default, 7 days), so groups of past processes (a gateway instance's
 *   own fan-out group) do not hold messages back forever.
 */
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import { flushOfCurrentTransaction, LmdbWriteGuard } from '../storage/lmdb-write-guard';
import { StorageHealth } from '../storage/storage-health';
import type { StoredMessage } from './partition-log';

export const OFFSETS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const LAST_OFFSET = Number.MAX_SAFE_INTEGER;

export interface JournaledPartition {
  /** Offset of the first message in `messages` (the end offset when there are none). */
  startOffset: number;
  messages: StoredMessage[];
}

export interface JournalContents {
  topics: Map<string, JournaledPartition[]>;
  /** Group id → its committed offsets. */
  groups: Map<string, Array<{ topic: string; partition: number; offset: number }>>;
}

interface StoredOffset {
  offset: number;
  at: number;
}

export class LmdbBusJournal {
  private constructor(
    private readonly root: RootDatabase,
    private readonly topics: Database<number, string>,
    private readonly messages: Database<StoredMessage, [string, number, number]>,
    private readonly heads: Database<number, [string, number]>,
    private readonly offsets: Database<StoredOffset, [string, string, number]>,
    private readonly onError: (error: Error) => void,
    private readonly guard: LmdbWriteGuard,
  ) {}

  /** `onError` is told of a failed write that nothing awaits (a commit, a trim). */
  static open(path: string, onError: (error: Error) => void, health: StorageHealth = new StorageHealth()): LmdbBusJournal {
    mkdirSync(path, { recursive: true });
    const root = open(path, { noSubdir: false, maxDbs: 4 });
    return new LmdbBusJournal(
      root,
      root.openDB({ name: 'topics' }),
      root.openDB({ name: 'messages' }),
      root.openDB({ name: 'heads' }),
      root.openDB({ name: 'offsets' }),
      onError,
      new LmdbWriteGuard(root, path, health),
    );
  }

  /** What the journal holds, keeping at most the newest `retain` messages per partition in it. */
  load(retain: number | undefined, now = Date.now()): JournalContents {
    const topics = new Map<string, JournaledPartition[]>();
    for (const { key: name, value: count } of this.topics.getRange()) {
      const partitions: JournaledPartition[] = [];
      for (let partition = 0; partition < count; partition++) {
        const end = this.heads.get([name, partition]) ?? 0;
        const from = retain === undefined ? 0 : Math.max(0, end - retain);
        this.trim(name, partition, from);
        const messages: StoredMessage[] = [];
        let startOffset = end;
        for (const { key, value } of this.messages.getRange({ start: [name, partition, from], end: [name, partition, LAST_OFFSET] })) {
          if (messages.length === 0) startOffset = key[2];
          // Offsets are consecutive from the first kept one: trims only ever cut a prefix.
          messages.push({ key: value.key, value: Buffer.from(value.value), headers: value.headers, timestamp: value.timestamp });
        }
        partitions.push({ startOffset, messages });
      }
      topics.set(name, partitions);
    }
    const groups = new Map<string, Array<{ topic: string; partition: number; offset: number }>>();
    const lastCommit = new Map<string, number>();
    for (const { key: [groupId, topic, partition], value } of this.offsets.getRange()) {
      let entries = groups.get(groupId);
      if (!entries) groups.set(groupId, (entries = []));
      entries.push({ topic, partition, offset: value.offset });
      lastCommit.set(groupId, Math.max(lastCommit.get(groupId) ?? 0, value.at));
    }
    for (const [groupId, at] of lastCommit) {
      if (now - at < OFFSETS_RETENTION_MS) continue;
      groups.delete(groupId);
      for (const key of this.offsets.getKeys({ start: [groupId], end: [groupId, '\uffff'] })) this.background(() => this.offsets.remove(key));
    }
    return { topics, groups };
  }

  recordTopic(name: string, partitions: number): void {
    this.background(() => this.topics.put(name, partitions));
  }

  /** Writes the messages at `firstOffset` on; resolves once they are flushed to disk. */
  async append(topic: string, partition: number, firstOffset: number, messages: StoredMessage[]): Promise<void> {
    const writes = messages.map((message, i) => this.messages.put([topic, partition, firstOffset + i], message));
    writes.push(this.heads.put([topic, partition], firstOffset + messages.length));
    // Taken now, so it is this transaction's flush (a later, failing one's would never resolve).
    const flushed = flushOfCurrentTransaction(this.root);
    await this.guard.commit(Promise.all(writes));
    await flushed;
  }

  commit(groupId: string, topic: string, partition: number, nextOffset: number): void {
    this.background(() => this.offsets.put([groupId, topic, partition], { offset: nextOffset, at: Date.now() }));
  }

  /** Deletes the partition's messages before `offset` (in one transaction). */
  trim(topic: string, partition: number, offset: number): void {
    if (offset <= 0) return;
    this.background(() =>
      this.root.transaction(() => {
        for (const key of this.messages.getKeys({ start: [topic, partition, 0], end: [topic, partition, offset] })) this.messages.removeSync(key);
      }),
    );
  }

  /** Starts a write nothing awaits; a failure (thrown or rejected) goes to onError. */
  private background(write: () => Promise<unknown>): void {
    try {
      this.guard.commit(write()).catch((error: Error) => this.onError(error));
    } catch (error) {
      this.onError(error as Error);
    }
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}
