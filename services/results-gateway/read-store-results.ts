/**
 * The gateway's stores on the read store port.
 *
 * Recorded results are not a projection of the event log: they live in a collection outside the
 * read models' generations (`campaign_results`), so a projection rebuild, which drops old
 * generations, never deletes them. Campaigns are read through ReadModels (generation-scoped),
 * where the projector writes them.
 *
 * A campaign's recorded count lives in the same collection (id `count:<campaign>`, without a
 * campaign_id field so that result queries do not match it), so that one bulk write stores a
 * batch's results and counts together: one transaction on LMDB; in order on MongoDB.
 */
import type { BulkOperation, ReadStore } from '../../shared/ports/read-store';
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { CampaignLookup, CampaignResultsStore, RecordedResult } from './ports';

export const CAMPAIGN_RESULTS = 'campaign_results';

export const resultId = (campaignId: number, hostId: number) => `${campaignId}:${hostId}`;
const countId = (campaignId: number) => `count:${campaignId}`;

interface CountDoc {
  count_of_campaign: number;
  recorded: number;
}

export function readModelCampaigns(readModels: ReadModels): CampaignLookup {
  return {
    getCampaign: (campaignId) => readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(campaignId)),
  };
}

export function readStoreResults(store: ReadStore): CampaignResultsStore {
  const collection = store.collection<RecordedResult | CountDoc>(CAMPAIGN_RESULTS);
  return {
    getResult: (campaignId, hostId) => collection.get(resultId(campaignId, hostId)) as Promise<RecordedResult | null>,
    async recordedCount(campaignId) {
      return ((await collection.get(countId(campaignId))) as CountDoc | null)?.recorded ?? 0;
    },
    async record(recorded, newCounts) {
      const operations: Array<BulkOperation<RecordedResult | CountDoc>> = recorded.map((doc) => ({
        op: 'put',
        id: resultId(doc.campaign_id, doc.host.id),
        doc,
      }));
      for (const [campaignId, count] of newCounts) {
        operations.push({ op: 'put', id: countId(campaignId), doc: { count_of_campaign: campaignId, recorded: count } });
      }
      if (operations.length > 0) await collection.bulk(operations);
    },
    async resultsAfter(campaignId, afterSeq) {
      const all = (await collection.find({ where: { campaign_id: campaignId }, sort: { field: 'seq', direction: 'asc' } })) as RecordedResult[];
      return afterSeq <= 0 ? all : all.filter((doc) => doc.seq > afterSeq);
    },
  };
}
