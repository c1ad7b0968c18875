/**
 * Access to the read models for the query side and the projector. Read models live in
 * generation-scoped collections (`g<N>_<name>`), so a rebuild can fill a fresh generation and swap
 * it in by moving one pointer. The pointer and each generation's checkpoint live in the
 * `projection_state` collection, which is shared by every process: a query-side process in
 * another container sees swaps and checkpoints by polling it, while in one process the projector
 * notifies directly.
 */
import { EventEmitter } from 'node:events';
import { START } from '../ports/event-store';
import type { ReadCollection, ReadStore } from '../ports/read-store';
import { isStorageUnavailable } from '../ports/storage-unavailable';
import { READ_MODEL_INDEXES } from './read-model-indexes';

const STATE_COLLECTION = 'projection_state';
const POINTER_KEY = 'pointer';
const checkpointKey = (generation: number) => `checkpoint:${generation}`;

const physicalCollectionName = (generation: number, logicalName: string) => `g${generation}_${logicalName}`;

export function generationOfCollection(physicalName: string): number | null {
  const match = /^g(\d+)_/.exec(physicalName);
  return match ? Number(match[1]) : null;
}

interface PointerDoc {
  generation: number;
}
interface CheckpointDoc {
  position: number;
}

export class ReadModels {
  private generation = 1;
  private readonly progress = new EventEmitter();
  private lastKnownCheckpoint = START;

  constructor(
    readonly store: ReadStore,
    private readonly pollIntervalMs = 20,
  ) {
    this.progress.setMaxListeners(0);
  }

  private get state(): ReadCollection<PointerDoc | CheckpointDoc> {
    return this.store.collection(STATE_COLLECTION);
  }

  /**
   * Reads the pointer; the first process to start creates generation 1. A missing pointer means
   * generation 1 everywhere, so on a full disk writing it is skipped (the next start writes it).
   */
  async init(): Promise<number> {
    const pointer = (await this.state.get(POINTER_KEY)) as PointerDoc | null;
    if (pointer === null) {
      await this.state.put(POINTER_KEY, { generation: 1 }).catch((error: unknown) => {
        if (!isStorageUnavailable(error)) throw error;
      });
    }
    this.generation = pointer?.generation ?? 1;
    return this.generation;
  }

  currentGeneration(): number {
    return this.generation;
  }

  /** Re-reads the pointer (another process may have swapped in a rebuilt generation). */
  async refreshGeneration(): Promise<number> {
    const pointer = (await this.state.get(POINTER_KEY)) as PointerDoc | null;
    if (pointer !== null) this.useGeneration(pointer.generation);
    return this.generation;
  }

  async swapGeneration(generation: number): Promise<void> {
    await this.state.put(POINTER_KEY, { generation });
    this.useGeneration(generation);
  }

  private useGeneration(generation: number): void {
    if (generation !== this.generation) this.lastKnownCheckpoint = START;
    this.generation = generation;
  }

  /** A read model's collection in a generation, with the indexes it is read by (read-model-indexes.ts). */
  collection<T extends object>(logicalName: string, generation = this.generation): ReadCollection<T> {
    const indexes = READ_MODEL_INDEXES[logicalName];
    return this.store.collection<T>(physicalCollectionName(generation, logicalName), indexes ? { indexes } : undefined);
  }

  async checkpoint(generation = this.generation): Promise<number> {
    const doc = (await this.state.get(checkpointKey(generation))) as CheckpointDoc | null;
    return doc?.position ?? START;
  }

  async saveCheckpoint(generation: number, position: number): Promise<void> {
    await this.state.put(checkpointKey(generation), { position });
    this.notifyCheckpoint(generation, position);
  }

  async deleteCheckpoint(generation: number): Promise<void> {
    await this.state.delete(checkpointKey(generation));
  }

  /** Called by an in-process projector after it saved a checkpoint. */
  notifyCheckpoint(generation: number, position: number): void {
    if (generation === this.generation && position > this.lastKnownCheckpoint) this.lastKnownCheckpoint = position;
    this.progress.emit('checkpoint');
  }

  /**
   * Waits until the read models have applied the event at `position` (read-your-writes), for at
   * most `timeoutMs`. Resolves true when they have, false on time-out.
   */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    if (this.lastKnownCheckpoint >= position) return true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.lastKnownCheckpoint = Math.max(this.lastKnownCheckpoint, await this.checkpoint());
      if (this.lastKnownCheckpoint >= position) return true;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.progress.off('checkpoint', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(this.pollIntervalMs, Math.max(0, deadline - Date.now())));
        this.progress.on('checkpoint', wake);
      });
    }
    return this.lastKnownCheckpoint >= position;
  }

  /** Drops every collection of a generation (after a swap, or to restart a failed rebuild). */
  async dropGeneration(generation: number): Promise<void> {
    const names = await this.store.listCollections();
    await Promise.all(names.filter((name) => generationOfCollection(name) === generation).map((name) => this.store.collection(name).drop()));
    await this.deleteCheckpoint(generation);
  }

  async generationsPresent(): Promise<number[]> {
    const names = await this.store.listCollections();
    const generations = names.map(generationOfCollection).filter((gen): gen is number => gen !== null);
    return [...new Set(generations)].sort((a, b) => a - b);
  }
}
