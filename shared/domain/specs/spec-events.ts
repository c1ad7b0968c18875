/**
 * Events of a spec's stream (`<kind>-<name>`, see specStreamId): one `<Kind>SpecApplied` per
 * version, and for the kinds that can be deleted one `<Kind>SpecDeleted` per deletion (itself a
 * version: the next apply continues the numbering). Type strings and data are persisted: never
 * change them (new fields are optional, so the log's older events stay valid).
 */
import type { FieldChange } from './spec-diff';
import type { DeletableSpecKind, SpecByKind, SpecKind } from './spec-types';

export const SPEC_APPLIED_TYPE = {
  query: 'QuerySpecApplied',
  pack: 'PackSpecApplied',
  label: 'LabelSpecApplied',
  policy: 'PolicySpecApplied',
  team: 'TeamSpecApplied',
} as const satisfies Record<SpecKind, string>;

export const SPEC_DELETED_TYPE = {
  query: 'QuerySpecDeleted',
  pack: 'PackSpecDeleted',
  label: 'LabelSpecDeleted',
  policy: 'PolicySpecDeleted',
  team: 'TeamSpecDeleted',
} as const satisfies Record<DeletableSpecKind, string>;

/**
 * What a version made by a deletion lost: for a pack, the deleted query, label or team it named
 * (Fleet's cascade); for a policy deleted with its team, that team.
 */
export interface DeletedReference {
  kind: 'query' | 'label' | 'team';
  name: string;
}

/** A new version of one spec. `version` is 1 for the first apply. */
export interface SpecApplied<K extends SpecKind = SpecKind> {
  kind: K;
  id: number;
  version: number;
  spec: SpecByKind[K];
  changes: FieldChange[];
  builtin: boolean;
  /**
   * Set only on a pack version Logbook made when a query or label it named was deleted (the
   * reference removed, as Fleet's database cascades it); absent on an operator's apply.
   */
  detached?: DeletedReference;
}

/**
 * A spec deleted: `version` is the version this deletion is (the last apply's + 1), `id` the id
 * the spec had. After it the stream's spec is gone; applying the name again is a new spec with a
 * new id (Fleet re-inserts the row) at the next version.
 */
export interface SpecDeleted<K extends DeletableSpecKind = DeletableSpecKind> {
  kind: K;
  id: number;
  name: string;
  version: number;
  /**
   * Set only on a deletion Logbook made because another spec was deleted (a team's policies go
   * with the team, as Fleet's database cascades them); absent on an operator's deletion.
   */
  cascade?: DeletedReference;
}

export type SpecAppliedEvent = { [K in SpecKind]: { type: (typeof SPEC_APPLIED_TYPE)[K]; data: SpecApplied<K> } }[SpecKind];
export type SpecDeletedEvent = { [K in DeletableSpecKind]: { type: (typeof SPEC_DELETED_TYPE)[K]; data: SpecDeleted<K> } }[DeletableSpecKind];
export type SpecEvent = SpecAppliedEvent | SpecDeletedEvent;

export const SPEC_APPLIED_EVENT_TYPES = Object.values(SPEC_APPLIED_TYPE) as ReadonlyArray<SpecAppliedEvent['type']>;
export const SPEC_DELETED_EVENT_TYPES = Object.values(SPEC_DELETED_TYPE) as ReadonlyArray<SpecDeletedEvent['type']>;
export const SPEC_EVENT_TYPES = [...SPEC_APPLIED_EVENT_TYPES, ...SPEC_DELETED_EVENT_TYPES] as ReadonlyArray<SpecEvent['type']>;

export function isSpecEventType(type: string): type is SpecEvent['type'] {
  return (SPEC_EVENT_TYPES as readonly string[]).includes(type);
}

export function isSpecDeletedType(type: string): type is SpecDeletedEvent['type'] {
  return (SPEC_DELETED_EVENT_TYPES as readonly string[]).includes(type);
}

/** The kind a `<Kind>SpecApplied` type records (undefined for any other type, deletions included). */
export function specKindOfEventType(type: string): SpecKind | undefined {
  return (Object.keys(SPEC_APPLIED_TYPE) as SpecKind[]).find((kind) => SPEC_APPLIED_TYPE[kind] === type);
}

/** The event recording `applied`, typed by its kind. */
export function specAppliedEvent<K extends SpecKind>(applied: SpecApplied<K>): SpecEvent {
  return { type: SPEC_APPLIED_TYPE[applied.kind], data: applied } as SpecEvent;
}

/** The event recording `deleted`, typed by its kind. */
export function specDeletedEvent<K extends DeletableSpecKind>(deleted: SpecDeleted<K>): SpecEvent {
  return { type: SPEC_DELETED_TYPE[deleted.kind], data: deleted } as SpecEvent;
}
