/**
 * The spec aggregate: one per kind and name. Applying a spec always makes a new version (so two
 * concurrent applies are two versions, never one lost update), except re-applying a built-in
 * label unchanged, which is accepted and changes nothing.
 */
import { DomainError, invalid } from '../errors';
import type { SpecApplied } from '../events';
import { diffSpecs } from './spec-diff';
import type { LabelSpec, PolicySpec, SpecByKind, SpecKind } from './spec-types';

export interface SpecState<K extends SpecKind = SpecKind> {
  id: number | null;
  version: number;
  spec: SpecByKind[K] | null;
  builtin: boolean;
}

export function initialSpecState<K extends SpecKind>(): SpecState<K> {
  return { id: null, version: 0, spec: null, builtin: false };
}

export function evolveSpec<K extends SpecKind>(_state: SpecState<K>, event: SpecApplied<K>): SpecState<K> {
  return { id: event.id, version: event.version, spec: event.spec, builtin: event.builtin };
}

export interface ApplySpec<K extends SpecKind = SpecKind> {
  kind: K;
  spec: SpecByKind[K];
  /** The id a new spec gets; ignored when the spec exists. */
  idIfNew: number;
  /** Only Logbook's own seeding creates built-in labels. */
  builtin?: boolean;
}

function checkLabelMembership(label: LabelSpec): void {
  if (label.label_membership_type === 'dynamic' && label.hosts !== undefined) {
    throw invalid('hosts', `label "${label.name}" is dynamic: it takes a query, not a list of hosts`);
  }
  if (label.label_membership_type === 'manual' && label.hosts === undefined) {
    throw invalid('hosts', `label "${label.name}" is manual: it needs a list of hosts`);
  }
  if (label.label_membership_type === 'dynamic' && label.query.trim() === '') {
    throw invalid('query', `label "${label.name}" is dynamic: it needs a query`);
  }
}

function sameLabel(a: LabelSpec, b: LabelSpec): boolean {
  const comparable = (label: LabelSpec) =>
    JSON.stringify([label.name, label.description, label.query, label.platform, label.label_membership_type, label.hosts ?? null]);
  return comparable(a) === comparable(b);
}

/** Fleet ignores team and platform when a policy is updated. */
function keepPolicyTeamAndPlatform(previous: PolicySpec, next: PolicySpec): PolicySpec {
  return { ...next, team: previous.team, platform: previous.platform };
}

export function decideApplySpec<K extends SpecKind>(command: ApplySpec<K>, state: SpecState<K>): SpecApplied<K>[] {
  let spec = command.spec;
  if (command.kind === 'label') {
    const label = spec as LabelSpec;
    if (state.builtin) {
      if (sameLabel(state.spec as LabelSpec, label)) return [];
      throw new DomainError('validation', `label "${label.name}" is built in and cannot be changed`, [
        { name: 'name', reason: `built-in label "${label.name}" cannot be changed` },
      ]);
    }
    checkLabelMembership(label);
  }
  if (command.kind === 'policy' && state.spec !== null) {
    spec = keepPolicyTeamAndPlatform(state.spec as PolicySpec, spec as PolicySpec) as SpecByKind[K];
  }
  return [
    {
      kind: command.kind,
      id: state.id ?? command.idIfNew,
      version: state.version + 1,
      spec,
      changes: diffSpecs(state.spec, spec),
      builtin: state.builtin || command.builtin === true,
    },
  ];
}
