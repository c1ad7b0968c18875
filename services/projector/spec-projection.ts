/**
 * Specs (`<Kind>SpecApplied`): the current version of each spec (`specs_<kind>`, keyed by name),
 * every version in `spec_history`, and an `applied_spec_<kind>` activity per request.
 * Idempotent: a version not newer than the stored one is skipped, so an event applied twice
 * (after a crash between writing models and saving the checkpoint) changes nothing.
 */
import type { SpecApplied } from '../../shared/domain/specs/spec-events';
import { SPEC_KIND_PLURAL } from '../../shared/domain/specs/spec-types';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { HISTORY, historyKey, specCollection, type SpecDoc, type SpecVersionDoc } from '../../shared/read-models/read-model-types';
import { actorUserId, recordActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

/** Every spec event is a SpecApplied, whatever its kind. */
export async function projectSpecEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const { kind, id, version, spec, changes, builtin } = (event as RecordedEvent<SpecApplied>).data;
  const name = spec.name;
  const existing = await uow.get<SpecDoc>(specCollection(kind), name);
  if (existing !== null && existing.version >= version) return;
  const appliedAt = event.metadata.occurredAt;
  uow.put(specCollection(kind), name, {
    id,
    name,
    version,
    builtin,
    spec,
    created_at: existing?.created_at ?? appliedAt,
    updated_at: appliedAt,
  } satisfies SpecDoc);
  uow.put(HISTORY, historyKey(kind, name, version), {
    version,
    applied_at: appliedAt,
    applied_by: { id: actorUserId(event), email: event.metadata.actor.email ?? null },
    spec,
    changes,
  } satisfies SpecVersionDoc);
  await recordActivity(uow, event, `applied_spec_${kind}`, {}, { key: SPEC_KIND_PLURAL[kind], item: { id, name } });
}
