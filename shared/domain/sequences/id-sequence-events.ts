/** Events of a kind's id sequence stream (`sequence-<kind>`). Persisted: never change them. */

/** Reserves the next numeric id of a kind of entity; the sequence stream's revision + 1 is the id. */
export const ID_RESERVED = 'IdReserved';
export interface IdReserved {
  id: number;
  name: string;
}

export type IdSequenceEvent = { type: typeof ID_RESERVED; data: IdReserved };

export const ID_SEQUENCE_EVENT_TYPES = [ID_RESERVED] as const;

export function isIdSequenceEventType(type: string): type is IdSequenceEvent['type'] {
  return (ID_SEQUENCE_EVENT_TYPES as readonly string[]).includes(type);
}
