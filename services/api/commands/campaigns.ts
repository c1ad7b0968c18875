/**
 * Live query campaigns, command side: resolve the query and the targeted hosts, decide, and
 * append the campaign's first event (its id reserved in the same append); stop a campaign.
 */
import { campaignDecider, type CampaignCommand } from '../../../shared/domain/campaigns/campaign-decider';
import { campaignStreamId, type CampaignCreated, type CampaignEnd } from '../../../shared/domain/campaigns/campaign-events';
import { idReservedFor, runCommand } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
import type { TargetSet } from '../campaign-targets';
import type { SpecCommandDeps } from './apply-specs';

/** The name a campaign's id is reserved under in the campaign sequence. */
const CAMPAIGN_ID_NAME = 'campaign';

export interface NewCampaign {
  query: string;
  queryId: number | null;
  userId: number;
  /** The selection and its totals (campaign-targets.ts). */
  targets: TargetSet;
  expiresAt: string;
}

export async function createCampaign(deps: SpecCommandDeps, campaign: NewCampaign, context: CommandContext): Promise<{ created: CampaignCreated; position: number }> {
  const created = (id: number): CampaignCreated => ({
    id,
    query: campaign.query,
    query_id: campaign.queryId,
    user_id: campaign.userId,
    target_host_ids: campaign.targets.hostIds,
    ...(campaign.targets.labelIds.length > 0 ? { target_label_ids: campaign.targets.labelIds } : {}),
    ...(campaign.targets.teamIds.length > 0 ? { target_team_ids: campaign.targets.teamIds } : {}),
    totals: campaign.targets.totals,
    expires_at: campaign.expiresAt,
  });
  const outcome = await runCommand(deps, {
    streamId: (reserved) => campaignStreamId(idReservedFor(reserved, CAMPAIGN_ID_NAME)),
    decider: campaignDecider,
    reserveId: { kind: 'campaign', nameFor: () => CAMPAIGN_ID_NAME },
    commandWith: (reserved): CampaignCommand => ({ kind: 'create', campaign: created(idReservedFor(reserved, CAMPAIGN_ID_NAME)) }),
    context,
  });
  return { created: outcome.state.created!, position: outcome.position! };
}

/** Ends a campaign (idempotent: ending an ended campaign changes nothing). */
export function endCampaign(deps: SpecCommandDeps, id: number, reason: CampaignEnd, by: { userId: number; mayStopAny: boolean } | null, context: CommandContext): Promise<number | null> {
  return decideOnCampaign(deps, id, { kind: 'end', reason, by }, context);
}

/** Records that an ended campaign's stored results were deleted (idempotent). */
export function recordCampaignResultsDeleted(deps: SpecCommandDeps, id: number, retentionDays: number, context: CommandContext): Promise<number | null> {
  return decideOnCampaign(deps, id, { kind: 'delete-results', retentionDays }, context);
}

/** Decides on the campaign's stream; resolves with the append's position, or null when nothing was decided. */
async function decideOnCampaign(deps: SpecCommandDeps, id: number, command: CampaignCommand, context: CommandContext): Promise<number | null> {
  const { position } = await runCommand(deps, { streamId: campaignStreamId(id), decider: campaignDecider, command, context });
  return position;
}
