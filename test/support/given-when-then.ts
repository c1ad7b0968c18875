/**
 * Given/when/then for pure deciders:
 *
 *   const { given } = givenWhenThen(specDecider);
 *   given([...past events]).when(command).then([...expected events]);
 *   given([...past events]).when(command).thenFails('validation', /message/);
 *
 * The past events are folded with `evolve` from `initialState`; `decide` then runs on that state,
 * which it must not change.
 */
import assert from 'node:assert/strict';
import { DomainError, type DomainErrorKind } from '../../shared/domain/errors';

export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export interface Outcome<Event> {
  /** Asserts that the command decides exactly these events, in this order. */
  then(expected: Event[]): void;
  /** Asserts that the command is refused with a DomainError of this kind; returns the error. */
  thenFails(kind: DomainErrorKind, message: RegExp): DomainError;
}

export function givenWhenThen<Command, State, Event>(decider: Decider<Command, State, Event>) {
  function decideOn(past: Event[], command: Command): Event[] {
    const state = past.reduce((current, event) => decider.evolve(current, event), decider.initialState);
    const before = structuredClone(state);
    try {
      return decider.decide(command, state);
    } finally {
      assert.deepEqual(state, before, 'decide must not change the state it is given');
    }
  }

  return {
    given(past: Event[]) {
      return {
        when(command: Command): Outcome<Event> {
          return {
            then(expected) {
              let decided: Event[];
              try {
                decided = decideOn(past, command);
              } catch (error) {
                assert.fail(`expected events ${JSON.stringify(expected)}, but the command failed: ${String(error)}`);
              }
              assert.deepEqual(decided, expected);
            },
            thenFails(kind, message) {
              let decided: Event[];
              try {
                decided = decideOn(past, command);
              } catch (error) {
                assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
                assert.equal(error.kind, kind, `error kind (message: ${error.message})`);
                assert.match(error.message, message);
                return error;
              }
              assert.fail(`expected a ${kind} error matching ${message}, but decided ${JSON.stringify(decided)}`);
            },
          };
        },
      };
    },
  };
}

/**
 * The same, for scenarios written as event data (families whose streams hold one kind of event):
 * `toEvent` makes each past and expected datum the event recording it.
 */
export function givenWhenThenOfData<Command, State, Event, Data>(decider: Decider<Command, State, Event>, toEvent: (data: Data) => Event) {
  const { given } = givenWhenThen(decider);
  return {
    given(past: Data[]) {
      return {
        when(command: Command): Outcome<Data> {
          const outcome = given(past.map(toEvent)).when(command);
          return { then: (expected) => outcome.then(expected.map(toEvent)), thenFails: outcome.thenFails };
        },
      };
    },
  };
}
