/**
 * The results bus topic that carries hosts' answers to live query campaigns, from the agent API
 * (producer) to the results gateway (consumer).
 *
 * Key: String(campaign_id), so one campaign's results stay in one partition, in order.
 * Value: a CampaignResultMessage as JSON. Delivery is at least once: a message may come twice,
 * a host may answer twice, and a message may name a host the campaign did not target; the
 * gateway deals with all three.
 */
export const CAMPAIGN_RESULTS_TOPIC = 'campaign-results';

export interface CampaignResultHost {
  id: number;
  hostname: string;
  display_name: string;
}

export interface CampaignResultMessage {
  campaign_id: number;
  host: CampaignResultHost;
  rows: Array<Record<string, string>>;
  /** osquery's error for this host, or null when the query ran. */
  error: string | null;
  /** ISO-8601 time the agent API received the host's answer. */
  answered_at: string;
}
