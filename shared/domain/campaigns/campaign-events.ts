/** Events of a live query campaign's stream (`campaign-<id>`); the operator is the actor. */

export interface CampaignTotals {
  count: number;
  online: number;
  offline: number;
  missing_in_action: number;
  /**
   * Targeted hosts enrolled in the last 24 hours (Fleet's NewHosts). CampaignCreated always has
   * it; optional for campaign documents written without it (the operator API shows absent as 0).
   */
  new?: number;
}

export const CAMPAIGN_CREATED = 'CampaignCreated';
export interface CampaignCreated {
  id: number;
  query: string;
  /** The saved query run, or null for ad-hoc SQL. */
  query_id: number | null;
  user_id: number;
  target_host_ids: number[];
  /** Host status when the campaign was created; `online` hosts are expected to answer. */
  totals: CampaignTotals;
  expires_at: string;
}

/** Why a campaign ended. */
export type CampaignEnd = 'completed' | 'stopped' | 'expired';

export const CAMPAIGN_ENDED = 'CampaignEnded';
export interface CampaignEnded {
  id: number;
  reason: CampaignEnd;
}

/** The campaign's stored results were deleted, `retention_days` after it ended (the actor is the system). */
export const CAMPAIGN_RESULTS_DELETED = 'CampaignResultsDeleted';
export interface CampaignResultsDeleted {
  id: number;
  retention_days: number;
}

export function campaignStreamId(id: number): string {
  return `campaign-${id}`;
}

export type CampaignEvent =
  | { type: typeof CAMPAIGN_CREATED; data: CampaignCreated }
  | { type: typeof CAMPAIGN_ENDED; data: CampaignEnded }
  | { type: typeof CAMPAIGN_RESULTS_DELETED; data: CampaignResultsDeleted };

export const CAMPAIGN_EVENT_TYPES = [CAMPAIGN_CREATED, CAMPAIGN_ENDED, CAMPAIGN_RESULTS_DELETED] as const;

export function isCampaignEventType(type: string): type is CampaignEvent['type'] {
  return (CAMPAIGN_EVENT_TYPES as readonly string[]).includes(type);
}
