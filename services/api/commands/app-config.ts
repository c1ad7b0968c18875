import { organizationDecider, ORGANIZATION_STREAM } from '../../../shared/domain/organization/organization-decider';
import type { AppConfig } from '../../../shared/domain/organization/app-config';
import { runCommand } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
import type { SpecCommandDeps } from './apply-specs';

/**
 * Merges a validated PATCH /config body into the app config (one AppConfigModified with what
 * changed, none when nothing did); answers the config as decided and the append's position.
 */
export async function modifyAppConfig(deps: SpecCommandDeps, patch: Record<string, unknown>, context: CommandContext): Promise<{ config: AppConfig; position: number | null }> {
  const { position, state } = await runCommand(deps, {
    streamId: ORGANIZATION_STREAM,
    decider: organizationDecider,
    command: { kind: 'modify', patch },
    context,
  });
  return { config: state.config, position };
}
