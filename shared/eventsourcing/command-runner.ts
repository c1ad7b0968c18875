/**
 * The one way a command is run (after Emmett's DeciderCommandHandler): load the stream's state,
 * decide, append what was decided with the revision the state was loaded at, and when another
 * writer appended first (a conflict) do it all again on fresh state, so no update is lost.
 *
 * Invariants:
 * - ids a new entity needs are reserved from its kind's id sequence stream (`sequence-<kind>`) in
 *   the same atomic append as the entity's events, so an id is taken only together with them;
 * - nothing is appended, not even a reservation, when no stream decided an event;
 * - a DomainError from `decide` (or from building the command) is never retried.
 */
import type { DecidedEvent, Decider } from '../domain/decider';
import { idSequenceDecider, idSequenceStreamId } from '../domain/sequences/id-sequence';
import type { IdSequenceEvent } from '../domain/sequences/id-sequence-events';
import { WrongExpectedRevisionError, type Actor, type AppendResult, type EventStore, type ExpectedRevision, type RecordedEvent, type StreamWrite } from '../ports/event-store';
import type { AggregateLoader, Loaded } from './aggregate-loader';
import { toNewEvents, type CommandContext } from './metadata';

export interface CommandDeps {
  store: EventStore;
  loader: AggregateLoader;
}

/** Name → id, for the ids a run reserved. */
export type ReservedIds = ReadonlyMap<string, number>;

/** What a state source is told around appends; every hook is optional. */
export interface AppendHooks {
  /** Told of every event the run appended (id sequence included), with revisions and position. */
  onAppended?(events: RecordedEvent[]): void;
  /** Runs before each retry after a conflict, e.g. to catch up with the log where the other writer's events are. */
  beforeRetry?(): Promise<void>;
}

/** Where the state a command is decided on comes from: by default the loader's fold of the stream. */
export interface StateSource<S> extends AppendHooks {
  load(streamId: string): Promise<Loaded<S>>;
}

/** The command, or how to make it once the run has reserved the ids it asked for. */
type CommandOf<C> = { command: C; commandWith?: never } | { command?: never; commandWith(reserved: ReservedIds): C };

export type StreamCommand<C, S, E extends DecidedEvent> = CommandOf<C> & {
  /**
   * The stream; a function of the reserved ids for a new entity's stream, named by its new id:
   * its state is then the decider's initial state, and it is appended as 'no_stream' (ids are unique).
   */
  streamId: string | ((reserved: ReservedIds) => string);
  decider: Decider<C, S, E>;
  /** Reserve an id from `kind`'s sequence when `nameFor(state)` names the entity (null: none needed). */
  reserveId?: { kind: string; nameFor(state: S): string | null };
  /** Records this stream's events as this actor instead of the context's (e.g. a login, as the user). */
  actorFrom?(state: S): Actor;
  source?: StateSource<S>;
};

export type CommandRun<C, S, E extends DecidedEvent> = StreamCommand<C, S, E> & { context: CommandContext };

export interface CommandOutcome<S, E> {
  /** Log position of the append, or null when nothing was decided (and nothing appended). */
  position: number | null;
  reservedIds: ReservedIds;
  /** The stream's state with the decided events applied. */
  state: S;
  events: E[];
}

/** One stream of a run, with its types erased so that streams of different deciders mix. */
export interface StreamStep {
  readonly hooks: AppendHooks;
  load(loader: AggregateLoader): Promise<LoadedStep>;
}

interface LoadedStep {
  streamId(reserved: ReservedIds): string;
  expected: ExpectedRevision;
  idRequest: { kind: string; name: string } | null;
  decide(reserved: ReservedIds, context: CommandContext): { events: DecidedEvent[]; context: CommandContext };
}

function makeStep<C, S, E extends DecidedEvent>(run: StreamCommand<C, S, E>, onDecided?: (state: S, events: E[]) => void): StreamStep {
  const { streamId, source } = run;
  const loadState = async (loader: AggregateLoader): Promise<Loaded<S>> => {
    if (typeof streamId === 'function') return { state: run.decider.initialState, expected: 'no_stream' };
    return source ? source.load(streamId) : loader.load(streamId, run.decider);
  };
  return {
    hooks: source ?? {},
    async load(loader) {
      const { state, expected } = await loadState(loader);
      const name = run.reserveId?.nameFor(state) ?? null;
      return {
        streamId: (reserved) => (typeof streamId === 'function' ? streamId(reserved) : streamId),
        expected,
        idRequest: run.reserveId && name !== null ? { kind: run.reserveId.kind, name } : null,
        decide(reserved, context) {
          const command = run.commandWith ? run.commandWith(reserved) : run.command;
          const events = run.decider.decide(command, state);
          onDecided?.(state, events);
          const actor = events.length > 0 && run.actorFrom ? run.actorFrom(state) : null;
          return { events, context: actor ? { ...context, actor } : context };
        },
      };
    },
  };
}

/** One stream of a multi-stream run (see runCommandOnStreams). */
export function onStream<C, S, E extends DecidedEvent>(command: StreamCommand<C, S, E>): StreamStep {
  return makeStep(command);
}

/** The id reserved for `name` in this run; asking for one the run did not reserve is a bug. */
export function idReservedFor(reserved: ReservedIds, name: string): number {
  const id = reserved.get(name);
  if (id === undefined) throw new Error(`no id was reserved for "${name}"`);
  return id;
}

/** Loads the stream's state, decides the command on it, appends what was decided; retried on conflict. */
export async function runCommand<C, S, E extends DecidedEvent>(deps: CommandDeps, run: CommandRun<C, S, E>): Promise<CommandOutcome<S, E>> {
  let decided: { state: S; events: E[] } = { state: run.decider.initialState, events: [] };
  const step = makeStep(run, (state, events) => {
    decided = { state: events.reduce((current, event) => run.decider.evolve(current, event), state), events };
  });
  const { position, reservedIds } = await runSteps(deps, [step], run.context);
  return { position, reservedIds, ...decided };
}

/**
 * Decides on several streams and appends all their events in one atomic append (with one id
 * reservation), all or nothing; streams that decide nothing are not written.
 */
export function runCommandOnStreams(deps: CommandDeps, run: { streams: StreamStep[]; context: CommandContext }): Promise<{ position: number | null; reservedIds: ReservedIds }> {
  return runSteps(deps, run.streams, run.context);
}

async function runSteps(deps: CommandDeps, steps: StreamStep[], context: CommandContext): Promise<{ position: number | null; reservedIds: ReservedIds }> {
  const hooks = [...new Set(steps.map((step) => step.hooks))];
  let first = true;
  return retryOnConflict(async () => {
    if (!first) for (const hook of hooks) await hook.beforeRetry?.();
    first = false;
    return attempt(deps, steps, hooks, context);
  });
}

async function attempt(deps: CommandDeps, steps: StreamStep[], hooks: AppendHooks[], context: CommandContext): Promise<{ position: number | null; reservedIds: ReservedIds }> {
  const loaded = await Promise.all(steps.map((step) => step.load(deps.loader)));
  const reservation = await reserveIds(deps.loader, loaded.flatMap((step) => (step.idRequest ? [step.idRequest] : [])));
  const writes: StreamWrite[] = [];
  loaded.forEach((step, index) => {
    const decided = step.decide(reservation.ids, context);
    if (decided.events.length === 0) return;
    writes.push({ streamId: step.streamId(reservation.ids), expected: step.expected, events: toNewEvents(decided.context, decided.events) });
  });
  if (writes.length === 0) return { position: null, reservedIds: reservation.ids };
  if (reservation.write) writes.unshift({ ...reservation.write, events: toNewEvents(context, reservation.write.events) });
  const result = await deps.store.append(writes);
  const listeners = hooks.filter((hook) => hook.onAppended);
  if (listeners.length > 0) {
    const appended = recordedEvents(writes, result);
    for (const hook of listeners) hook.onAppended?.(appended);
  }
  return { position: result.position, reservedIds: reservation.ids };
}

interface Reservation {
  ids: ReservedIds;
  write: { streamId: string; expected: ExpectedRevision; events: IdSequenceEvent[] } | null;
}

/** Reserves one id per request, in order, from the one kind's sequence (a run reserves ids of one kind). */
async function reserveIds(loader: AggregateLoader, requests: Array<{ kind: string; name: string }>): Promise<Reservation> {
  if (requests.length === 0) return { ids: new Map(), write: null };
  const kind = requests[0].kind;
  if (requests.some((request) => request.kind !== kind)) throw new Error('a command run reserves ids of one kind only');
  const streamId = idSequenceStreamId(kind);
  const sequence = await loader.load(streamId, idSequenceDecider);
  const events = idSequenceDecider.decide({ names: requests.map((request) => request.name) }, sequence.state);
  return { ids: new Map(events.map((event) => [event.data.name, event.data.id])), write: { streamId, expected: sequence.expected, events } };
}

/** The appended events as the log records them (the append's position stands for each). */
function recordedEvents(writes: StreamWrite[], result: AppendResult): RecordedEvent[] {
  return writes.flatMap((write, index) => {
    const firstRevision = result.revisions[index] - write.events.length + 1;
    return write.events.map((event, offset) => ({
      id: event.id ?? '',
      streamId: write.streamId,
      revision: firstRevision + offset,
      position: result.position,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    }));
  });
}

/**
 * Runs an attempt again when another writer appended first. Each attempt re-reads state, so no
 * update is lost; a short random pause spreads out contending writers.
 */
async function retryOnConflict<T>(attemptOnce: () => Promise<T>, maxAttempts = 100): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attemptOnce();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || tries >= maxAttempts) throw error;
      const pauseMs = Math.random() * Math.min(50, tries * 2);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
