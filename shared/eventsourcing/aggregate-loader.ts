/**
 * Loads an aggregate's state by folding its stream. Keeps the last folded state of recently used
 * streams, so a load reads only the events appended since (a spec applied thousands of times is
 * not re-read from its start on every apply). Always reads the stream's tail, so it stays
 * correct when other processes append to the same stream.
 */
import type { EventStore, ExpectedRevision, RecordedEvent } from '../ports/event-store';

export interface Loaded<S> {
  state: S;
  /** What to expect when appending to this stream next. */
  expected: ExpectedRevision;
}

export interface AggregateType<S> {
  initial: S;
  evolve(state: S, event: RecordedEvent): S;
}

interface CachedState {
  state: unknown;
  revision: number;
}

export class AggregateLoader {
  private readonly cache = new Map<string, CachedState>();

  constructor(
    private readonly store: EventStore,
    private readonly maxCachedStreams = 50_000,
  ) {}

  async load<S>(streamId: string, type: AggregateType<S>): Promise<Loaded<S>> {
    const cached = this.cache.get(streamId);
    let state = (cached?.state as S | undefined) ?? type.initial;
    let revision = cached?.revision ?? -1;
    const events = await this.store.readStream(streamId, revision + 1);
    for (const event of events) {
      state = type.evolve(state, event);
      revision = event.revision;
    }
    if (revision >= 0) this.remember(streamId, { state, revision });
    return { state, expected: revision >= 0 ? revision : 'no_stream' };
  }

  private remember(streamId: string, entry: CachedState): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > this.maxCachedStreams) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
