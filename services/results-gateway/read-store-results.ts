/**
 * The gateway's stores on the read store port.
 *
 * Recorded results are not a projection of the event log: they live in collections outside the
 * read models' generations (`campaign_results`, `campaign_result_counts`), so a projection
 * rebuild, which drops old generations, never deletes them. Campaigns are read through ReadModels
 * (generation-scoped), where the projector writes them.
 */
import type { ReadStore } from '../../shared/ports/read-store';
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { CampaignLookup, CampaignResultsStore, RecordedResult } from './ports';

export const CAMPAIGN_RESULTS = 'campaign_results';
export const CAMPAIGN_RESULT_COUNTS = 'campaign_result_counts';

export const resultId = (campaignId: number, hostId: number) => `${campaignId}:${hostId}`;

interface CountDoc {
  campaign_id: number;
  recorded: number;
}

export function readModelCampaigns(readModels: ReadModels): CampaignLookup {
  return {
    getCampaign: (campaignId) => readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(campaignId)),
  };
}

export function readStoreResults(store: ReadStore): CampaignResultsStore {
  const results = store.collection<RecordedResult>(CAMPAIGN_RESULTS);
  const counts = store.collection<CountDoc>(CAMPAIGN_RESULT_COUNTS);
  return {
    getResult: (campaignId, hostId) => results.get(resultId(campaignId, hostId)),
    async recordedCount(campaignId) {
      return (await counts.get(String(campaignId)))?.recorded ?? 0;
    },
    async record(recorded, newCounts) {
      if (recorded.length > 0) {
        await results.bulk(recorded.map((doc) => ({ op: 'put', id: resultId(doc.campaign_id, doc.host.id), doc })));
      }
      if (newCounts.size > 0) {
        await counts.bulk(
          [...newCounts].map(([campaignId, count]) => ({
            op: 'put',
            id: String(campaignId),
            doc: { campaign_id: campaignId, recorded: count },
          })),
        );
      }
    },
    async resultsAfter(campaignId, afterSeq) {
      const all = await results.find({ where: { campaign_id: campaignId }, sort: { field: 'seq', direction: 'asc' } });
      return afterSeq <= 0 ? all : all.filter((doc) => doc.seq > afterSeq);
    },
  };
}
