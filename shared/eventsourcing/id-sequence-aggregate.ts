/** The id sequence of a kind of entity, as an aggregate for the loader. */
import { evolveIdSequence, initialIdSequenceState, type IdSequenceState } from '../domain/sequences/id-sequence';
import type { IdReserved } from '../domain/events';
import type { AggregateType } from './aggregate-loader';

export const idSequenceAggregate: AggregateType<IdSequenceState> = {
  initial: initialIdSequenceState,
  evolve: (state, event) => evolveIdSequence(state, event.data as IdReserved),
};
