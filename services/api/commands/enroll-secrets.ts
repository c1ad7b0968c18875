import {
  decideReplaceEnrollSecrets,
  evolveEnrollSecrets,
  GLOBAL_ENROLL_SECRETS_STREAM,
  initialEnrollSecretsState,
  type EnrollSecretsState,
} from '../../../shared/domain/enroll-secrets/enroll-secrets-decider';
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../../shared/domain/events';
import type { AggregateType } from '../../../shared/eventsourcing/aggregate-loader';
import { toNewEvents, type CommandContext } from '../../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../../shared/eventsourcing/retry-on-conflict';
import type { ApplyResult, SpecCommandDeps } from './apply-specs';

const enrollSecretsAggregate: AggregateType<EnrollSecretsState> = {
  initial: initialEnrollSecretsState,
  evolve: (state, event) => evolveEnrollSecrets(state, event.data as EnrollSecretsReplaced),
};

/** Replaces the global enroll secrets with exactly the ones given. */
export async function replaceEnrollSecrets(deps: SpecCommandDeps, secrets: string[], context: CommandContext): Promise<ApplyResult> {
  return retryOnConflict(async () => {
    const { state, expected } = await deps.loader.load(GLOBAL_ENROLL_SECRETS_STREAM, enrollSecretsAggregate);
    const events = decideReplaceEnrollSecrets({ secrets, now: context.now().toISOString() }, state);
    if (events.length === 0) return { position: null };
    const result = await deps.store.append([
      { streamId: GLOBAL_ENROLL_SECRETS_STREAM, expected, events: toNewEvents(context, events.map((data) => ({ type: ENROLL_SECRETS_REPLACED, data }))) },
    ]);
    return { position: result.position };
  });
}
