/**
 * How the gateway reads campaigns: a small interface so that tests and other compositions can
 * supply their own, and its default on the read models (generation-scoped, where the projector
 * writes them).
 */
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

export interface CampaignLookup {
  /** The campaign as projected now, or null while it is unknown. */
  getCampaign(campaignId: number): Promise<CampaignDoc | null>;
}

export function readModelCampaigns(readModels: ReadModels): CampaignLookup {
  return {
    getCampaign: (campaignId) => readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(campaignId)),
  };
}
