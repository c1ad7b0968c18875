/**
 * The live projector: subscribes to the whole log from its checkpoint and applies events to the
 * current generation of read models in batches (whatever arrived while the previous batch was
 * being written), saving the checkpoint after each batch. Before each batch it re-reads the
 * generation pointer: when a rebuild has swapped in a new generation, it drops the old one and
 * resubscribes from the new generation's checkpoint.
 *
 * No event can stop it: an event that a projection cannot apply (it throws, or its documents
 * cannot be stored) is quarantined with its error (see quarantine.ts, apply-events.ts) and the
 * checkpoint moves on past it. Only a failure of the stores themselves stops the projector.
 * A batch whose writes the storage refuses (StorageUnavailableError: full disk) is not a failure
 * of the projector: the batch goes back to the head of the queue and is retried every
 * STORAGE_RETRY_MS until it commits (or stop()), so the models catch up once space returns.
 * Re-applying a batch that partly committed is safe, as after a crash (projections are idempotent).
 */
import type { Metrics } from '../../shared/observability/metrics';
import type { EventStore, RecordedEvent, Subscription } from '../../shared/ports/event-store';
import type { ReadModels } from '../../shared/read-models/read-models';
import { applyEvents } from './apply-events';
import { Quarantine, type QuarantineEntry } from './quarantine';
import { isStorageUnavailable } from '../../shared/ports/storage-unavailable';
import { ensureReadModelVersion } from './read-model-version';

const MAX_BATCH = 2_000;
/** Above this many queued events, the subscription waits for the queue to drain. */
const HIGH_WATER = 10_000;
const STORAGE_RETRY_MS = 1_000;

export interface ProjectorLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class Projector {
  private subscription: Subscription | null = null;
  private queue: RecordedEvent[] = [];
  private draining: Promise<void> | null = null;
  private generation = 0;
  private checkpoint = -1;
  private stopped = false;
  /** Bumped on each subscribe, so events still arriving from a closed subscription are ignored. */
  private epoch = 0;
  private caughtUp!: () => void;
  private failed: Error | null = null;
  private waitingForStorage = false;
  /** Resolves once the projector has applied everything that was in the log when it started. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));
  private readonly quarantine: Quarantine;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly logger: ProjectorLogger,
    options: { metrics?: Metrics } = {},
  ) {
    this.quarantine = new Quarantine(readModels, options.metrics);
  }

  async start(): Promise<void> {
    await this.readModels.init();
    // Read models of another schema version are rebuilt first (read-model-version.ts).
    await ensureReadModelVersion(this.store, this.readModels, this.logger);
    await this.subscribe();
  }

  /** The error that stopped the projector, if one did. */
  get error(): Error | null {
    return this.failed;
  }

  /**
   * Null while every event has been applied; else why the read models are degraded (events were
   * quarantined). The projector still runs: /healthz reports this as degraded, not unavailable.
   */
  health(): string | null {
    return this.quarantine.health();
  }

  /** How many events the current generation has quarantined, and the last one. */
  quarantined(): { count: number; latest: QuarantineEntry | null } {
    return this.quarantine.summary();
  }

  private async subscribe(): Promise<void> {
    this.generation = this.readModels.currentGeneration();
    this.checkpoint = await this.readModels.checkpoint(this.generation);
    await this.quarantine.load(this.generation);
    this.logger.info({ generation: this.generation, checkpoint: this.checkpoint }, 'projector subscribing');
    const epoch = ++this.epoch;
    this.subscription = this.store.subscribeToAll({
      after: this.checkpoint,
      onEvent: (event) => (epoch === this.epoch ? this.enqueue(event) : undefined),
      onCaughtUp: () => void this.drain().then(() => this.caughtUp()),
      onError: (error) => this.fail(error),
    });
  }

  private fail(error: Error): void {
    this.failed = error;
    this.logger.error({ err: error }, 'projector stopped');
  }

  private async enqueue(event: RecordedEvent): Promise<void> {
    this.queue.push(event);
    const drain = this.drain();
    if (this.queue.length >= HIGH_WATER) await drain;
  }

  private drain(): Promise<void> {
    this.draining ??= this.drainUntilEmpty();
    return this.draining;
  }

  /**
   * The emptiness check and the reset of `draining` run in one synchronous step, so an event
   * enqueued while a drain is finishing is either seen by this drain or starts a new one.
   */
  private async drainUntilEmpty(): Promise<void> {
    try {
      do await this.drainQueue();
      while (this.queue.length > 0 && !this.stopped);
    } finally {
      this.draining = null;
    }
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      if ((await this.readModels.refreshGeneration()) !== this.generation) {
        await this.switchGeneration();
        continue;
      }
      const batch = this.queue.splice(0, MAX_BATCH).filter((event) => event.position > this.checkpoint);
      if (batch.length === 0) continue;
      try {
        await this.applyBatch(batch);
        if (this.waitingForStorage) this.logger.info({ checkpoint: this.checkpoint }, 'projector writing again');
        this.waitingForStorage = false;
      } catch (error) {
        if (isStorageUnavailable(error)) {
          await this.retryLater(batch, error);
          continue;
        }
        this.fail(error as Error);
        this.stopped = true;
        void this.subscription?.close();
        return;
      }
    }
  }

  private async applyBatch(batch: RecordedEvent[]): Promise<void> {
    const generation = this.generation;
    await applyEvents(this.readModels, generation, batch, async (event, error) => {
      const entry = await this.quarantine.record(generation, event, error);
      this.logger.error({ ...entry, err: error }, 'projector quarantined an event it cannot apply');
    });
    this.checkpoint = batch[batch.length - 1].position;
    // Waiting commands only need the models to show their write: tell them before the checkpoint
    // itself is stored (a crash in between replays the batch, which is idempotent).
    this.readModels.notifyCheckpoint(this.generation, this.checkpoint);
    await this.readModels.saveCheckpoint(this.generation, this.checkpoint);
  }

  private async retryLater(batch: RecordedEvent[], error: Error): Promise<void> {
    if (!this.waitingForStorage) this.logger.warn({ err: error, checkpoint: this.checkpoint }, 'projector cannot write; retrying');
    this.waitingForStorage = true;
    this.queue.unshift(...batch);
    await new Promise((resolve) => setTimeout(resolve, STORAGE_RETRY_MS));
  }

  private async switchGeneration(): Promise<void> {
    const old = this.generation;
    this.queue = [];
    // Not awaited: this runs inside the drain that a handler of that subscription may be awaiting.
    void this.subscription?.close();
    this.logger.info({ from: old, to: this.readModels.currentGeneration() }, 'projector switching to rebuilt read models');
    await this.readModels.dropGeneration(old);
    await this.subscribe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    this.subscription = null;
    await this.draining;
  }
}
