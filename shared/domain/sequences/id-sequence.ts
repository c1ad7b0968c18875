/**
 * Numeric ids, as Fleet's API exposes them, come from one sequence stream per kind of entity.
 * Reserving ids is an append with the sequence's expected revision, in the same atomic append as
 * the entity's first event (the command runner does this), so ids are unique, gap-free, start at
 * 1, and are recorded in the log (a rebuild gives the same ids).
 */
import { unexpectedEvent, type Decider } from '../decider';
import { ID_RESERVED, type IdSequenceEvent } from './id-sequence-events';

export function idSequenceStreamId(kind: string): string {
  return `sequence-${kind}`;
}

export interface IdSequenceState {
  lastId: number;
}

/** Reserves one id per name, in order. */
export interface ReserveIds {
  names: string[];
}

export const idSequenceDecider: Decider<ReserveIds, IdSequenceState, IdSequenceEvent> = {
  initialState: { lastId: 0 },
  decide: (command, state) => command.names.map((name, index) => ({ type: ID_RESERVED, data: { id: state.lastId + index + 1, name } })),
  evolve(state, event) {
    switch (event.type) {
      case ID_RESERVED:
        return { lastId: Math.max(state.lastId, event.data.id) };
      default:
        return unexpectedEvent(event.type);
    }
  },
};
