import { enrollSecretsDecider, GLOBAL_ENROLL_SECRETS_STREAM } from '../../../shared/domain/enroll-secrets/enroll-secrets-decider';
import { runCommand } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
import type { ApplyResult, SpecCommandDeps } from './apply-specs';

/** Replaces the global enroll secrets with exactly the ones given. */
export async function replaceEnrollSecrets(deps: SpecCommandDeps, secrets: string[], context: CommandContext): Promise<ApplyResult> {
  const { position } = await runCommand(deps, {
    streamId: GLOBAL_ENROLL_SECRETS_STREAM,
    decider: enrollSecretsDecider,
    command: { secrets, now: context.now().toISOString() },
    context,
  });
  return { position };
}
