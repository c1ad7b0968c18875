/**
 * The spec aggregate: one per kind and name. Applying a spec always makes a new version (so two
 * concurrent applies are two versions, never one lost update), except re-applying a built-in
 * label unchanged, which is accepted and changes nothing. Deleting a spec is a version too
 * (spec-deletion.ts): after it the state has no spec and no id, so the next apply is a new spec
 * (a new id) at the next version number.
 */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError, invalid } from '../errors';
import { diffSpecs } from './spec-diff';
import { decideDeleteSpec, decidePackDetach, decideTeamPolicyCascade, type DeleteSpec, type DeleteWithTeam, type DetachFromPack } from './spec-deletion';
import { SPEC_APPLIED_TYPE, SPEC_DELETED_TYPE, specAppliedEvent, specDeletedEvent, type SpecApplied, type SpecEvent } from './spec-events';
import type { LabelSpec, PolicySpec, SpecByKind, SpecKind } from './spec-types';

export interface SpecState<K extends SpecKind = SpecKind> {
  id: number | null;
  version: number;
  spec: SpecByKind[K] | null;
  builtin: boolean;
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

function decideApplySpec<K extends SpecKind>(command: ApplySpec<K>, state: SpecState<K>): SpecApplied<K>[] {
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

export type SpecCommand = ApplySpec | DeleteSpec | DetachFromPack | DeleteWithTeam;

function decide(command: SpecCommand, state: SpecState): SpecEvent[] {
  if (!('action' in command)) return decideApplySpec(command, state).map(specAppliedEvent);
  if (command.action === 'delete') return decideDeleteSpec(command, state).map(specDeletedEvent);
  if (command.action === 'delete-with-team') return decideTeamPolicyCascade(command, state).map(specDeletedEvent);
  return decidePackDetach(command, state).map(specAppliedEvent);
}

/** A spec's stream holds versions of one kind; the state is its latest version (no spec once deleted). */
export const specDecider: Decider<SpecCommand, SpecState, SpecEvent> = {
  initialState: { id: null, version: 0, spec: null, builtin: false },
  decide,
  evolve(_state, event) {
    switch (event.type) {
      case SPEC_APPLIED_TYPE.query:
      case SPEC_APPLIED_TYPE.pack:
      case SPEC_APPLIED_TYPE.label:
      case SPEC_APPLIED_TYPE.policy:
      case SPEC_APPLIED_TYPE.team:
        return { id: event.data.id, version: event.data.version, spec: event.data.spec, builtin: event.data.builtin };
      case SPEC_DELETED_TYPE.query:
      case SPEC_DELETED_TYPE.pack:
      case SPEC_DELETED_TYPE.label:
      case SPEC_DELETED_TYPE.policy:
      case SPEC_DELETED_TYPE.team:
        return { id: null, version: event.data.version, spec: null, builtin: false };
      default:
        return unexpectedEvent(event);
    }
  },
};
