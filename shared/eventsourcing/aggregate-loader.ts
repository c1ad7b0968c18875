/**
 * Loads an aggregate's state by folding its stream with its decider's `evolve`. Keeps the last folded state of recently used
 * streams, so a load reads only the events appended since (a spec applied thousands of times is
 * not re-read from its start on every apply). Always reads the stream's tail, so it stays
 * correct when other processes append to the same stream.
 */
import type { DecidedEvent, Decider } from '../domain/decider';
import type { EventStore, ExpectedRevision } from '../ports/event-store';

export interface Loaded<S> {
  state: S;
  /** What to expect when appending to this stream next. */
  expected: ExpectedRevision;
}

/** What folding a stream needs of a decider. A stream holds only its decider's event family. */
export type Evolver<S, E extends DecidedEvent> = Pick<Decider<unknown, S, E>, 'evolve' | 'initialState'>;

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

  async load<S, E extends DecidedEvent>(streamId: string, decider: Evolver<S, E>): Promise<Loaded<S>> {
    const cached = this.cache.get(streamId);
    let state = (cached?.state as S | undefined) ?? decider.initialState;
    let revision = cached?.revision ?? -1;
    const events = await this.store.readStream(streamId, revision + 1);
    for (const event of events) {
      state = decider.evolve(state, { type: event.type, data: event.data } as E);
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
