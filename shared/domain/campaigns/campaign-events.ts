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
  /**
   * Hosts selected one by one (by id, by hostname, or through a manual label's hostnames),
   * resolved to ids at creation. Events written before label and team selections were recorded
   * list every targeted host here (and have neither field below): they mean the same.
   */
  target_host_ids: number[];
  /** Dynamic labels selected: their members at the event's position in the log are targeted. */
  target_label_ids?: number[];
  /** Teams selected: their hosts at the event's position in the log are targeted. */
  target_team_ids?: number[];
  /**
   * Host status when the campaign was created; `online` hosts are expected to answer; `count` is
   * how many hosts the selection held then (what was targeted, for audit and replay).
   */
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

/** What a campaign selected: hosts by id, dynamic labels and teams (old events: hosts only). */
export interface CampaignSelection {
  hostIds: ReadonlySet<number>;
  labelIds: readonly number[];
  teamIds: readonly number[];
}

export function campaignSelection(created: Pick<CampaignCreated, 'target_host_ids' | 'target_label_ids' | 'target_team_ids'>): CampaignSelection {
  return { hostIds: new Set(created.target_host_ids), labelIds: created.target_label_ids ?? [], teamIds: created.target_team_ids ?? [] };
}

/** Whether the selection holds only hosts by id (then membership needs no host's labels or team). */
export function selectsOnlyHosts(selection: CampaignSelection): boolean {
  return selection.labelIds.length === 0 && selection.teamIds.length === 0;
}

/** Whether a host with these labels and team is in the selection. */
export function isSelected(selection: CampaignSelection, hostId: number, hasLabel: (labelId: number) => boolean, teamId: number | null): boolean {
  if (selection.hostIds.has(hostId)) return true;
  if (teamId !== null && selection.teamIds.includes(teamId)) return true;
  return selection.labelIds.some(hasLabel);
}
