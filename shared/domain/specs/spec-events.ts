/**
 * Events of a spec's stream (`<kind>-<name>`, see specStreamId): one `<Kind>SpecApplied` per
 * version. Type strings and data are persisted: never change them.
 */
import type { FieldChange } from './spec-diff';
import type { SpecByKind, SpecKind } from './spec-types';

export const SPEC_APPLIED_TYPE = {
  query: 'QuerySpecApplied',
  pack: 'PackSpecApplied',
  label: 'LabelSpecApplied',
  policy: 'PolicySpecApplied',
  team: 'TeamSpecApplied',
} as const satisfies Record<SpecKind, string>;

/** A new version of one spec. `version` is 1 for the first apply. */
export interface SpecApplied<K extends SpecKind = SpecKind> {
  kind: K;
  id: number;
  version: number;
  spec: SpecByKind[K];
  changes: FieldChange[];
  builtin: boolean;
}

export type SpecEvent = { [K in SpecKind]: { type: (typeof SPEC_APPLIED_TYPE)[K]; data: SpecApplied<K> } }[SpecKind];

export const SPEC_EVENT_TYPES = Object.values(SPEC_APPLIED_TYPE) as ReadonlyArray<SpecEvent['type']>;

export function isSpecEventType(type: string): type is SpecEvent['type'] {
  return (SPEC_EVENT_TYPES as readonly string[]).includes(type);
}

export function specKindOfEventType(type: string): SpecKind | undefined {
  return (Object.keys(SPEC_APPLIED_TYPE) as SpecKind[]).find((kind) => SPEC_APPLIED_TYPE[kind] === type);
}

/** The event recording `applied`, typed by its kind. */
export function specAppliedEvent<K extends SpecKind>(applied: SpecApplied<K>): SpecEvent {
  return { type: SPEC_APPLIED_TYPE[applied.kind], data: applied } as SpecEvent;
}
