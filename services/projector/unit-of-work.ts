/**
 * Collects a batch's read-model writes in memory and stores them with one bulk write per
 * collection. Reads see the batch's own pending writes first, so handlers can read what an
 * earlier event of the same batch wrote.
 */
import type { ReadModels } from '../../shared/read-models/read-models';
import type { BulkOperation } from '../../shared/ports/read-store';

const DELETED = Symbol('deleted');
type Pending = object | typeof DELETED;

export class UnitOfWork {
  private readonly pending = new Map<string, Map<string, Pending>>();

  constructor(
    private readonly readModels: ReadModels,
    private readonly generation: number,
  ) {}

  private pendingOf(collection: string): Map<string, Pending> {
    let entries = this.pending.get(collection);
    if (!entries) this.pending.set(collection, (entries = new Map()));
    return entries;
  }

  async get<T extends object>(collection: string, id: string): Promise<T | null> {
    const staged = this.pending.get(collection)?.get(id);
    if (staged === DELETED) return null;
    if (staged !== undefined) return staged as T;
    return this.readModels.collection<T>(collection, this.generation).get(id);
  }

  /**
   * The documents of `collection` whose `field` is `value` as this batch leaves them, by id: the
   * store's (found by `field`'s index) read through this batch's pending writes, and the batch's
   * own new documents with that value.
   */
  async findWhere<T extends object>(collection: string, field: string, value: string | number | boolean | null): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const ids = await this.readModels.collection<T>(collection, this.generation).findIds({ where: { [field]: value } });
    for (const id of ids) {
      const doc = await this.get<T>(collection, id);
      if (doc !== null && (doc as Record<string, unknown>)[field] === value) found.set(id, doc);
    }
    for (const [id, doc] of this.pending.get(collection) ?? []) {
      if (doc !== DELETED && (doc as Record<string, unknown>)[field] === value) found.set(id, doc as T);
    }
    return found;
  }

  put(collection: string, id: string, doc: object): void {
    this.pendingOf(collection).set(id, doc);
  }

  delete(collection: string, id: string): void {
    this.pendingOf(collection).set(id, DELETED);
  }

  /**
   * Settles every collection's write before failing with the first error, so that a caller
   * retrying after a failed commit never races a write of this one still in flight.
   */
  async commit(): Promise<void> {
    const writes = await Promise.allSettled(
      [...this.pending].map(([collection, entries]) => {
        const operations: BulkOperation<object>[] = [...entries].map(([id, doc]) =>
          doc === DELETED ? { op: 'delete', id } : { op: 'put', id, doc },
        );
        return this.readModels.collection(collection, this.generation).bulk(operations);
      }),
    );
    const failed = writes.find((write): write is PromiseRejectedResult => write.status === 'rejected');
    if (failed) throw failed.reason;
    this.pending.clear();
  }
}
