/**
 * Specs (`<Kind>SpecApplied`, `<Kind>SpecDeleted`): the current version of each spec
 * (`specs_<kind>`, keyed by name), every version in `spec_history` (a deletion as a version
 * marked deleted), the last version of each deleted name in `spec_deletions`, and the activities:
 * `applied_spec_<kind>` per request, and per deletion Fleet's `deleted_saved_query`
 * {query_name}, `deleted_pack` {pack_name}, `deleted_label` {label_name} (Fleet's seed era
 * records none for labels; later Fleet records `deleted_label`), `deleted_policy` {policy_id,
 * policy_name, team_id, team_name} and `deleted_team` {team_id, team_name}; none for a policy
 * deleted with its team. A deleted team's hosts move to no team (host-projection.ts).
 *
 * Idempotent: an event whose version is not newer than the name's latest (its document's, or its
 * deletion's) is skipped, so an event applied twice (after a crash between writing models and
 * saving the checkpoint) changes nothing, and an old apply replayed after a deletion does not
 * bring the spec back.
 */
import { isSpecDeletedType, type SpecApplied, type SpecDeleted } from '../../shared/domain/specs/spec-events';
import { SPEC_KIND_PLURAL, type DeletableSpecKind, type PolicySpec, type SpecKind } from '../../shared/domain/specs/spec-types';
import type { RecordedEvent } from '../../shared/ports/event-store';
import {
  deletionKey,
  HISTORY,
  historyKey,
  SPEC_DELETIONS,
  specCollection,
  type SpecDeletionDoc,
  type SpecDoc,
  type SpecVersionDoc,
} from '../../shared/read-models/read-model-types';
import { actorUserId, recordActivity } from './activity-projection';
import { moveHostsToNoTeam } from './host-projection';
import type { UnitOfWork } from './unit-of-work';

/** Fleet's activity type for each deletion, and its details. */
const DELETED_ACTIVITY: Record<DeletableSpecKind, { type: string; details: (deleted: SpecDeleted) => Record<string, unknown> }> = {
  query: { type: 'deleted_saved_query', details: ({ name }) => ({ query_name: name }) },
  pack: { type: 'deleted_pack', details: ({ name }) => ({ pack_name: name }) },
  label: { type: 'deleted_label', details: ({ name }) => ({ label_name: name }) },
  // Fleet's ActivityTypeDeletedPolicy as DeleteGlobalPolicies records it: team_id -1 for a global
  // policy (a team's policy gets its team's id and name: policyTeamDetails).
  policy: { type: 'deleted_policy', details: ({ id, name }) => ({ policy_id: id, policy_name: name, team_id: -1, team_name: null }) },
  team: { type: 'deleted_team', details: ({ id, name }) => ({ team_id: id, team_name: name }) },
};

async function latestOf(uow: UnitOfWork, kind: SpecKind, name: string): Promise<{ doc: SpecDoc | null; deletion: SpecDeletionDoc | null; version: number }> {
  const doc = await uow.get<SpecDoc>(specCollection(kind), name);
  const deletion = await uow.get<SpecDeletionDoc>(SPEC_DELETIONS, deletionKey(kind, name));
  return { doc, deletion, version: Math.max(doc?.version ?? 0, deletion?.version ?? 0) };
}

/**
 * A deleted team policy's team, as DeleteTeamPolicies records it (team_id, team_name); nothing for
 * a global one. Its team still exists when the deletion is projected: a team's deletion deletes its
 * policies in the same append (with no activity), and a policy's team never changes.
 */
async function policyTeamDetails(uow: UnitOfWork, deletedSpec: SpecDoc | null): Promise<Record<string, unknown>> {
  const teamName = (deletedSpec?.spec as PolicySpec | undefined)?.team;
  if (!teamName) return {};
  const team = await uow.get<SpecDoc>(specCollection('team'), teamName);
  return { team_id: team?.id ?? -1, team_name: teamName };
}

const appliedBy = (event: RecordedEvent) => ({ id: actorUserId(event), email: event.metadata.actor.email ?? null });

async function projectApplied(uow: UnitOfWork, event: RecordedEvent<SpecApplied>): Promise<void> {
  const { kind, id, version, spec, changes, builtin, detached } = event.data;
  const name = spec.name;
  const latest = await latestOf(uow, kind, name);
  if (latest.version >= version) return;
  const appliedAt = event.metadata.occurredAt;
  if (latest.deletion) uow.delete(SPEC_DELETIONS, deletionKey(kind, name));
  uow.put(specCollection(kind), name, {
    id,
    name,
    version,
    builtin,
    spec,
    created_at: latest.doc?.created_at ?? appliedAt,
    updated_at: appliedAt,
  } satisfies SpecDoc);
  const entry: SpecVersionDoc = { version, applied_at: appliedAt, applied_by: appliedBy(event), spec, changes };
  if (detached) entry.detached = detached;
  uow.put(HISTORY, historyKey(kind, name, version), entry);
  // A pack version made by a deletion is that deletion's doing, not an apply (Fleet records none).
  if (!detached) await recordActivity(uow, event, `applied_spec_${kind}`, {}, { key: SPEC_KIND_PLURAL[kind], item: { id, name } });
}

async function projectDeleted(uow: UnitOfWork, event: RecordedEvent<SpecDeleted>): Promise<void> {
  const { kind, id, name, version, cascade } = event.data;
  const latest = await latestOf(uow, kind, name);
  if (latest.version >= version) return;
  const deletedAt = event.metadata.occurredAt;
  uow.delete(specCollection(kind), name);
  uow.put(SPEC_DELETIONS, deletionKey(kind, name), { id, name, version, deleted_at: deletedAt } satisfies SpecDeletionDoc);
  uow.put(HISTORY, historyKey(kind, name, version), {
    version,
    applied_at: deletedAt,
    applied_by: appliedBy(event),
    spec: null,
    changes: [],
    deleted: true,
    ...(cascade ? { cascade } : {}),
  } satisfies SpecVersionDoc);
  if (kind === 'team') await moveHostsToNoTeam(uow, id, deletedAt);
  // A policy deleted with its team is that deletion's doing (Fleet's cascade records none).
  if (cascade) return;
  const activity = DELETED_ACTIVITY[kind];
  // Fleet records one deleted_policy per policy, though one request deletes several.
  const details = { ...activity.details(event.data), ...(kind === 'policy' ? await policyTeamDetails(uow, latest.doc) : {}) };
  await recordActivity(uow, event, activity.type, details, undefined, kind === 'policy' ? String(id) : undefined);
}

export async function projectSpecEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  if (isSpecDeletedType(event.type)) return projectDeleted(uow, event as RecordedEvent<SpecDeleted>);
  return projectApplied(uow, event as RecordedEvent<SpecApplied>);
}
