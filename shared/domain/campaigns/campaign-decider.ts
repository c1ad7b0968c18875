/**
 * The live query campaign aggregate: created with its targets, then ended once (completed when
 * every expected host answered, stopped by an operator, or expired); once ended, its stored
 * results may be deleted (once) when the retention period is over. Pure.
 */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError } from '../errors';
import {
  CAMPAIGN_CREATED,
  CAMPAIGN_ENDED,
  CAMPAIGN_RESULTS_DELETED,
  type CampaignCreated,
  type CampaignEnd,
  type CampaignEvent,
} from './campaign-events';

export interface CampaignState {
  created: CampaignCreated | null;
  ended: CampaignEnd | null;
  resultsDeleted: boolean;
}

function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  switch (event.type) {
    case CAMPAIGN_CREATED:
      return { ...state, created: event.data };
    case CAMPAIGN_ENDED:
      return { ...state, ended: state.ended ?? event.data.reason };
    case CAMPAIGN_RESULTS_DELETED:
      return { ...state, resultsDeleted: true };
    default:
      return unexpectedEvent(event);
  }
}

export type CampaignCommand =
  | { kind: 'create'; campaign: CampaignCreated }
  | { kind: 'end'; reason: CampaignEnd; by: { userId: number; mayStopAny: boolean } | null }
  | { kind: 'delete-results'; retentionDays: number };

function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  if (command.kind === 'create') {
    if (state.created) throw new DomainError('conflict', `campaign ${command.campaign.id} already exists`);
    if (command.campaign.totals.count === 0) throw new DomainError('bad_request', 'no hosts targeted');
    return [{ type: CAMPAIGN_CREATED, data: command.campaign }];
  }
  if (!state.created) throw new DomainError('not_found', 'campaign not found');
  if (command.kind === 'delete-results') {
    if (!state.ended) throw new DomainError('conflict', `campaign ${state.created.id} is still running: its results are kept while it runs`);
    if (state.resultsDeleted) return [];
    return [{ type: CAMPAIGN_RESULTS_DELETED, data: { id: state.created.id, retention_days: command.retentionDays } }];
  }
  if (command.by && !command.by.mayStopAny && command.by.userId !== state.created.user_id) {
    throw new DomainError('forbidden', 'only the operator who ran a campaign, a maintainer or an admin can stop it');
  }
  if (state.ended) return [];
  return [{ type: CAMPAIGN_ENDED, data: { id: state.created.id, reason: command.reason } }];
}

export const campaignDecider: Decider<CampaignCommand, CampaignState, CampaignEvent> = {
  initialState: { created: null, ended: null, resultsDeleted: false },
  decide: decideCampaign,
  evolve: evolveCampaign,
};
