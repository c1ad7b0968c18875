/**
 * Events the projector could not apply, set aside so that one bad event never stops the read
 * models: each is recorded with its error in the generation's `projector_quarantine` collection
 * (so a rebuild, which starts a fresh generation, tries every event again and keeps its own
 * record), counted in the `projector_quarantined_events` gauge, and reported by health().
 *
 * Invariant: an event's entry is stored before the checkpoint moves past it, so a quarantined
 * event is never lost from the record, and never tried again by this generation once the
 * checkpoint has passed it. Recording is idempotent (the entry's id is its position), so a crash
 * between the two replays the batch without counting the event twice.
 */
import type { Gauge } from 'prom-client';
import type { Metrics } from '../../shared/observability/metrics';
import type { RecordedEvent } from '../../shared/ports/event-store';
import type { ReadCollection } from '../../shared/ports/read-store';
import type { ReadModels } from '../../shared/read-models/read-models';

export const PROJECTOR_QUARANTINE = 'projector_quarantine';

/** Kept from an error message: enough to tell what failed, never a megabyte of it. */
const MAX_ERROR_LENGTH = 1_000;

export interface QuarantineEntry {
  position: number;
  type: string;
  stream_id: string;
  event_id: string;
  /** `<error name>: <message>`, shortened to MAX_ERROR_LENGTH. */
  error: string;
  quarantined_at: string;
}

/** Ids in position order (zero-padded), so the store's id order is the log's order. */
const entryId = (position: number) => String(position).padStart(20, '0');

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

export class Quarantine {
  private count = 0;
  private latest: QuarantineEntry | null = null;
  private readonly gauge: Gauge | null;

  constructor(
    private readonly readModels: ReadModels,
    metrics?: Metrics,
  ) {
    this.gauge = metrics?.gauge({
      name: 'projector_quarantined_events',
      help: 'Events the projector could not apply and set aside, in the current read-model generation (the read models they feed are incomplete)',
    }) ?? null;
  }

  private collection(generation: number): ReadCollection<QuarantineEntry> {
    return this.readModels.collection<QuarantineEntry>(PROJECTOR_QUARANTINE, generation);
  }

  /** Takes up what a generation already holds: after a restart, or a switch to a rebuilt one. */
  async load(generation: number): Promise<void> {
    const collection = this.collection(generation);
    this.count = await collection.count();
    const [latest] = await collection.find({ sort: { field: 'position', direction: 'desc' }, limit: 1 });
    this.latest = latest ?? null;
    this.gauge?.set(this.count);
  }

  /** Stores the event's entry (once: recording it again keeps the first entry). */
  async record(generation: number, event: RecordedEvent, error: unknown): Promise<QuarantineEntry> {
    const collection = this.collection(generation);
    const existing = await collection.get(entryId(event.position));
    if (existing !== null) return existing;
    const entry: QuarantineEntry = {
      position: event.position,
      type: event.type,
      stream_id: event.streamId,
      event_id: event.id,
      error: describeError(error),
      quarantined_at: new Date().toISOString(),
    };
    await collection.put(entryId(event.position), entry);
    this.count += 1;
    if (this.latest === null || entry.position > this.latest.position) this.latest = entry;
    this.gauge?.set(this.count);
    return entry;
  }

  /** How many events are set aside, and the last of them (by position). */
  summary(): { count: number; latest: QuarantineEntry | null } {
    return { count: this.count, latest: this.latest };
  }

  /** Null when nothing is quarantined, else a sentence for /healthz. */
  health(): string | null {
    if (this.count === 0 || this.latest === null) return null;
    const { position, type, stream_id: stream, error } = this.latest;
    const events = this.count === 1 ? '1 event' : `${this.count} events`;
    return `projector quarantined ${events} it could not apply (read models may be incomplete); latest at position ${position}, ${type} on stream ${stream}: ${error}`;
  }
}
