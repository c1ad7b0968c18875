/**
 * What the results gateway needs from the rest of Logbook, as small interfaces so that tests and
 * other compositions can supply their own: campaign look-ups, the durable results store, and the
 * operator authentication.
 */
import type { CampaignResultHost } from '../../shared/campaigns/campaign-results-topic';
import type { CampaignDoc, UserDoc } from '../../shared/read-models/read-model-types';

export interface CampaignLookup {
  /** The campaign as projected now, or null while it is unknown. */
  getCampaign(campaignId: number): Promise<CampaignDoc | null>;
}

/** One host's answer to one campaign, as recorded (at most one per campaign and host). */
export interface RecordedResult {
  campaign_id: number;
  /** Arrival order within the campaign: 1 for the first recorded result, +1 for each next one. */
  seq: number;
  host: CampaignResultHost;
  rows: Array<Record<string, string>>;
  error: string | null;
  answered_at: string;
}

export interface CampaignResultsStore {
  /** The recorded result of this host, or null. */
  getResult(campaignId: number, hostId: number): Promise<RecordedResult | null>;
  /** How many results the campaign has recorded (= the highest seq). */
  recordedCount(campaignId: number): Promise<number>;
  /**
   * Stores the results, then the counts: atomically where the store can, else in that order (a
   * crash in between leaves results whose seq is above the stored count, which the recorder
   * repairs when the message comes again).
   */
  record(results: RecordedResult[], counts: Map<number, number>): Promise<void>;
  /** The campaign's results with seq > afterSeq, in seq order. */
  resultsAfter(campaignId: number, afterSeq: number): Promise<RecordedResult[]>;
}

export interface WatcherAuthenticator {
  userForToken(token: string): Promise<UserDoc | null>;
}
