/**
 * The gateway's stores: campaigns through ReadModels (generation-scoped, where the projector
 * writes them); recorded results in shared/campaigns/campaign-results-store.ts.
 */
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { CampaignLookup } from './ports';

export { CAMPAIGN_RESULTS, readStoreResults, resultId } from '../../shared/campaigns/campaign-results-store';

export function readModelCampaigns(readModels: ReadModels): CampaignLookup {
  return {
    getCampaign: (campaignId) => readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(campaignId)),
  };
}
