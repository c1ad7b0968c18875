/**
 * Numeric ids, as Fleet's API exposes them, come from one sequence stream per kind of entity.
 * Reserving ids is an append with the sequence's expected revision, in the same atomic append as
 * the entity's first event, so ids are unique, gap-free, and recorded in the log (a rebuild gives
 * the same ids).
 */
import type { IdReserved } from '../events';

export function idSequenceStreamId(kind: string): string {
  return `sequence-${kind}`;
}

export interface IdSequenceState {
  lastId: number;
}

export const initialIdSequenceState: IdSequenceState = { lastId: 0 };

export function evolveIdSequence(state: IdSequenceState, event: IdReserved): IdSequenceState {
  return { lastId: Math.max(state.lastId, event.id) };
}

/** Reserves one id per name, in order. */
export function decideReserveIds(names: string[], state: IdSequenceState): IdReserved[] {
  return names.map((name, index) => ({ id: state.lastId + index + 1, name }));
}
