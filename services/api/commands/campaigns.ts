/**
 * Live query campaigns, command side: resolve the query and the targeted hosts, decide, and
 * append the campaign's first event (its id reserved in the same append); stop a campaign.
 */
import { decideCampaign, evolveCampaign, initialCampaignState, type CampaignCommand, type CampaignEvent, type CampaignState } from '../../../shared/domain/campaigns/campaign-decider';
import { campaignStreamId, type CampaignCreated, type CampaignEnd, type CampaignTotals } from '../../../shared/domain/campaigns/campaign-events';
import { decideReserveIds, idSequenceStreamId } from '../../../shared/domain/sequences/id-sequence';
import type { AggregateType } from '../../../shared/eventsourcing/aggregate-loader';
import { idSequenceAggregate } from '../../../shared/eventsourcing/id-sequence-aggregate';
import { toNewEvents, type CommandContext } from '../../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../../shared/eventsourcing/retry-on-conflict';
import type { FleetHost } from '../host-queries';
import type { SpecCommandDeps } from './apply-specs';

const campaignAggregate: AggregateType<CampaignState> = {
  initial: initialCampaignState,
  evolve: (state, event) => evolveCampaign(state, { type: event.type, data: event.data } as CampaignEvent),
};

export interface NewCampaign {
  query: string;
  queryId: number | null;
  userId: number;
  targets: FleetHost[];
  newHostIds: ReadonlySet<number>;
  expiresAt: string;
}

function totalsOf(targets: FleetHost[], newHostIds: ReadonlySet<number>): CampaignTotals {
  const count = (status: string) => targets.filter((host) => host.status === status).length;
  return {
    count: targets.length,
    online: count('online'),
    offline: count('offline'),
    missing_in_action: count('mia'),
    new: targets.filter((host) => newHostIds.has(host.id)).length,
  };
}

export async function createCampaign(deps: SpecCommandDeps, campaign: NewCampaign, context: CommandContext): Promise<{ created: CampaignCreated; position: number }> {
  return retryOnConflict(async () => {
    const sequence = await deps.loader.load(idSequenceStreamId('campaign'), idSequenceAggregate);
    const [reserved] = decideReserveIds(['campaign'], sequence.state);
    const created: CampaignCreated = {
      id: reserved.id,
      query: campaign.query,
      query_id: campaign.queryId,
      user_id: campaign.userId,
      target_host_ids: campaign.targets.map((host) => host.id),
      totals: totalsOf(campaign.targets, campaign.newHostIds),
      expires_at: campaign.expiresAt,
    };
    const events = decideCampaign({ kind: 'create', campaign: created }, initialCampaignState);
    const result = await deps.store.append([
      { streamId: idSequenceStreamId('campaign'), expected: sequence.expected, events: toNewEvents(context, [{ type: 'IdReserved', data: reserved }]) },
      { streamId: campaignStreamId(created.id), expected: 'no_stream', events: toNewEvents(context, events) },
    ]);
    return { created, position: result.position };
  });
}

/** Ends a campaign (idempotent: ending an ended campaign changes nothing). */
export function endCampaign(deps: SpecCommandDeps, id: number, reason: CampaignEnd, by: { userId: number; mayStopAny: boolean } | null, context: CommandContext): Promise<number | null> {
  return decideOnCampaign(deps, id, { kind: 'end', reason, by }, context);
}

/** Records that an ended campaign's stored results were deleted (idempotent). */
export function recordCampaignResultsDeleted(deps: SpecCommandDeps, id: number, retentionDays: number, context: CommandContext): Promise<number | null> {
  return decideOnCampaign(deps, id, { kind: 'delete-results', retentionDays }, context);
}

/** Loads the campaign, decides, appends what was decided; resolves with its position, or null when nothing was. */
function decideOnCampaign(deps: SpecCommandDeps, id: number, command: CampaignCommand, context: CommandContext): Promise<number | null> {
  return retryOnConflict(async () => {
    const { state, expected } = await deps.loader.load(campaignStreamId(id), campaignAggregate);
    const events = decideCampaign(command, state);
    if (events.length === 0) return null;
    const result = await deps.store.append([{ streamId: campaignStreamId(id), expected, events: toNewEvents(context, events) }]);
    return result.position;
  });
}
