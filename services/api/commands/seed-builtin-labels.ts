import { BUILTIN_LABELS } from '../../../shared/domain/specs/builtin-labels';
import { commandContext, SYSTEM_ACTOR } from '../../../shared/eventsourcing/metadata';
import { applySpecs, type ApplyResult, type SpecCommandDeps } from './apply-specs';

/**
 * Records the built-in labels the first time Logbook starts. Safe to run at every start and from
 * several instances: an unchanged built-in label is not applied again, and a race is a retry.
 */
export function seedBuiltinLabels(deps: SpecCommandDeps): Promise<ApplyResult> {
  return applySpecs(deps, 'label', [...BUILTIN_LABELS], commandContext(SYSTEM_ACTOR, 'seed-builtin-labels'), { builtin: true });
}
