/**
 * The campaign-results-recorded topic: what one instance's recorder stored, for the other
 * instances to push to their own watchers. Key String(campaign_id); value JSON RecordedResult[]
 * of one campaign, in seq order; header `origin` names the recording instance (which has already
 * delivered them locally and skips its own messages).
 */
import type { OutgoingMessage } from '../../shared/ports/results-bus';
import type { RecordedResult } from './ports';

export const RECORDED_RESULTS_TOPIC = 'campaign-results-recorded';
export const ORIGIN_HEADER = 'origin';

export function encodeRecordedBatch(results: RecordedResult[], origin: string): OutgoingMessage[] {
  const byCampaign = new Map<number, RecordedResult[]>();
  for (const result of results) {
    const list = byCampaign.get(result.campaign_id);
    if (list) list.push(result);
    else byCampaign.set(result.campaign_id, [result]);
  }
  return [...byCampaign].map(([campaignId, list]) => ({
    key: String(campaignId),
    value: JSON.stringify(list),
    headers: { [ORIGIN_HEADER]: origin },
  }));
}

/** The results of one message; [] when it cannot be read (it is then skipped). */
export function decodeRecordedBatch(value: Buffer): RecordedResult[] {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return Array.isArray(parsed) ? (parsed as RecordedResult[]) : [];
  } catch {
    return [];
  }
}
