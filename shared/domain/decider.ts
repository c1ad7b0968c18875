/**
 * The shape of every aggregate in the domain: a pure `decide` (which events a command causes on a
 * state, or a DomainError) and `evolve` (the state after one event), folded from `initialState`.
 * `decide` never changes the state it is given; `evolve` returns a new state.
 */
export interface DecidedEvent {
  type: string;
  data: unknown;
}

export interface Decider<Command, State, Event extends DecidedEvent> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

/**
 * The `never` branch of an exhaustive `evolve`: an event of another family in a stream is a bug.
 * Given the event (narrowed to never), or its type when the family has one event (TypeScript
 * narrows only the type then).
 */
export function unexpectedEvent(eventOrType: never): never {
  const type = typeof eventOrType === 'string' ? eventOrType : (eventOrType as DecidedEvent).type;
  throw new Error(`unexpected event ${type} for this aggregate`);
}
