/**
 * Deleting a spec, as Fleet does it (fleetdm/fleet, seed era v4.10–v4.12):
 * - a query, pack or label that does not exist (never applied, or deleted) is a 404 with Fleet's
 *   reason, `<Resource> <name> was not found in the datastore` (datastore/mysql notFound);
 * - a built-in label is refused, 422 on `name` (service/labels.go DeleteLabel: "cannot delete
 *   built-in label '<name>'");
 * - what still names the deleted spec is not a reason to refuse: Fleet's database cascades.
 *   Deleting a query deletes the packs' scheduled queries of it (scheduled_queries.query_name
 *   REFERENCES queries(name) ON DELETE CASCADE); deleting a label deletes the pack targets naming
 *   it (mysql/labels.go DeleteLabel: DELETE FROM pack_targets WHERE type=label AND target_id=?).
 *   Here that cascade is a new version of each pack that named it (decidePackDetach), appended
 *   atomically with the deletion;
 * - deleting a pack takes its scheduled queries and targets with it (ON DELETE CASCADE on
 *   pack_id): they are part of the pack's spec here, so nothing else changes;
 * - a policy and a team are deleted by id (Fleet's later API: POST /global/policies/delete,
 *   DELETE /teams/{id}); the 404 then names the id, `Policy 7 was not found in the datastore`
 *   (mysql PoliciesByID / teamDB: notFound(...).WithID). Deleting a team deletes the pack targets
 *   naming it (mysql/teams.go DeleteTeam: DELETE FROM pack_targets WHERE type=team), its
 *   policies (policies.team_id ON DELETE CASCADE; decideTeamPolicyCascade) and its enroll
 *   secrets (part of the team's spec here); its hosts move to no team (hosts.team_id ON DELETE
 *   SET NULL), which the hosts read model and the agent view do (a host's team id no longer
 *   names a team; a re-applied team gets a new id).
 */
import { DomainError } from '../errors';
import { diffSpecs } from './spec-diff';
import type { DeletedReference, SpecApplied, SpecDeleted } from './spec-events';
import { SPEC_RESOURCE_NAME, type DeletableSpecKind, type PackSpec, type PolicySpec } from './spec-types';

/** What the deletion decisions read of a spec stream's state (see SpecState). */
interface DeletionState {
  id: number | null;
  version: number;
  spec: { name: string } | null;
  builtin: boolean;
}

export interface DeleteSpec {
  action: 'delete';
  kind: DeletableSpecKind;
  name: string;
  /**
   * Set when the spec was asked for by id (policies, teams): the spec must still have it (a name
   * deleted and applied again since is another spec, a new id), and a 404 names the id.
   */
  id?: number;
}

/** Sent to every policy's stream when a team is deleted: the team's policies go with it. */
export interface DeleteWithTeam {
  action: 'delete-with-team';
  team: string;
}

/** Sent to every pack's stream when a query or label is deleted. */
export interface DetachFromPack {
  action: 'detach';
  deleted: DeletedReference;
}

export function decideDeleteSpec(command: DeleteSpec, state: DeletionState): SpecDeleted[] {
  const { kind, name } = command;
  if (state.spec === null || state.id === null || (command.id !== undefined && command.id !== state.id)) {
    const reason = `${SPEC_RESOURCE_NAME[kind]} ${command.id ?? name} was not found in the datastore`;
    throw new DomainError('not_found', reason, [{ name: 'base', reason }]);
  }
  if (state.builtin) {
    const reason = `cannot delete built-in label '${name}'`;
    throw new DomainError('validation', reason, [{ name: 'name', reason }]);
  }
  return [{ kind, id: state.id, name, version: state.version + 1 }];
}

/** The pack without what named the deleted spec; the same object when it named nothing of it. */
function withoutReference(pack: PackSpec, deleted: DeletedReference): PackSpec {
  if (deleted.kind === 'query') {
    const queries = pack.queries.filter((entry) => entry.query !== deleted.name);
    return queries.length === pack.queries.length ? pack : { ...pack, queries };
  }
  const field = deleted.kind === 'label' ? 'labels' : 'teams';
  const targets = pack.targets[field];
  if (targets === null || !targets.includes(deleted.name)) return pack;
  return { ...pack, targets: { ...pack.targets, [field]: targets.filter((target) => target !== deleted.name) } };
}

/**
 * A policy of the deleted team is deleted with it, marked `cascade`; any other policy, and a
 * deleted one, decides nothing. Invariant: only ever sent to policy streams.
 */
export function decideTeamPolicyCascade(command: DeleteWithTeam, state: DeletionState): SpecDeleted<'policy'>[] {
  if (state.spec === null || state.id === null) return [];
  const policy = state.spec as PolicySpec;
  if (policy.team !== command.team) return [];
  return [{ kind: 'policy', id: state.id, name: policy.name, version: state.version + 1, cascade: { kind: 'team', name: command.team } }];
}

/**
 * A pack that names the deleted query (in its scheduled queries), label or team (in its targets) gets a
 * new version without it, marked `detached`; any other pack, and a deleted one, decides nothing.
 * Invariant: only ever sent to pack streams.
 */
export function decidePackDetach(command: DetachFromPack, state: DeletionState): SpecApplied<'pack'>[] {
  if (state.spec === null || state.id === null) return [];
  const pack = state.spec as PackSpec;
  const next = withoutReference(pack, command.deleted);
  if (next === pack) return [];
  return [{ kind: 'pack', id: state.id, version: state.version + 1, spec: next, changes: diffSpecs(pack, next), builtin: false, detached: command.deleted }];
}
