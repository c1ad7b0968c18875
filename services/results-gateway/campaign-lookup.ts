/**
 * How the gateway reads campaigns: a small interface so that tests and other compositions can
 * supply their own, and its default on the read models (generation-scoped, where the projector
 * writes them).
 */
import { CAMPAIGNS, HOSTS, type CampaignDoc, type HostDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

export interface CampaignLookup {
  /** The campaign as projected now, or null while it is unknown. */
  getCampaign(campaignId: number): Promise<CampaignDoc | null>;
  /** A host's labels and team as projected now (null: unknown host); without it only hosts selected by id are targeted. */
  hostGroups?(hostId: number): Promise<Pick<HostDoc, 'label_ids' | 'team_id'> | null>;
}

export function readModelCampaigns(readModels: ReadModels): CampaignLookup {
  return {
    getCampaign: (campaignId) => readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(campaignId)),
    hostGroups: (hostId) => readModels.collection<HostDoc>(HOSTS).get(String(hostId)),
  };
}
