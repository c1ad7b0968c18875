/**
 * What the results gateway needs from the rest of Logbook, as small interfaces so that tests and
 * other compositions can supply their own: campaign look-ups, the durable results store, and the
 * operator authentication.
 */
import type { CampaignDoc, UserDoc } from '../../shared/read-models/read-model-types';

export type { CampaignResultsStore, RecordedResult } from '../../shared/campaigns/campaign-results-store';

export interface CampaignLookup {
  /** The campaign as projected now, or null while it is unknown. */
  getCampaign(campaignId: number): Promise<CampaignDoc | null>;
}



export interface WatcherAuthenticator {
  userForToken(token: string): Promise<UserDoc | null>;
}
