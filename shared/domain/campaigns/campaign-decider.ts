/**
 * The live query campaign aggregate: created with its targets, then ended once (completed when
 * every expected host answered, stopped by an operator, or expired). Pure.
 */
import { DomainError } from '../errors';
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, type CampaignCreated, type CampaignEnd, type CampaignEnded } from './campaign-events';

export type CampaignEvent = { type: typeof CAMPAIGN_CREATED; data: CampaignCreated } | { type: typeof CAMPAIGN_ENDED; data: CampaignEnded };

export interface CampaignState {
  created: CampaignCreated | null;
  ended: CampaignEnd | null;
}

export const initialCampaignState: CampaignState = { created: null, ended: null };

export function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  if (event.type === CAMPAIGN_CREATED) return { ...state, created: event.data };
  return { ...state, ended: state.ended ?? event.data.reason };
}

export type CampaignCommand =
  | { kind: 'create'; campaign: CampaignCreated }
  | { kind: 'end'; reason: CampaignEnd; by: { userId: number; mayStopAny: boolean } | null };

export function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  if (command.kind === 'create') {
    if (state.created) throw new DomainError('conflict', `campaign ${command.campaign.id} already exists`);
    if (command.campaign.target_host_ids.length === 0) throw new DomainError('bad_request', 'no hosts targeted');
    return [{ type: CAMPAIGN_CREATED, data: command.campaign }];
  }
  if (!state.created) throw new DomainError('not_found', 'campaign not found');
  if (command.by && !command.by.mayStopAny && command.by.userId !== state.created.user_id) {
    throw new DomainError('forbidden', 'only the operator who ran a campaign, a maintainer or an admin can stop it');
  }
  if (state.ended) return [];
  return [{ type: CAMPAIGN_ENDED, data: { id: state.created.id, reason: command.reason } }];
}
