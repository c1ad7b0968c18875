/**
 * The campaign-results-recorded topic: what one instance's recorder stored, for the other
 * instances to push to their own watchers. Key String(campaign_id); value JSON RecordedResult[]
 * of one campaign, in seq order; header `origin` names the recording instance (which has already
 * delivered them locally and skips its own messages).
 */
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { OutgoingMessage } from '../../shared/ports/results-bus';

export const RECORDED_RESULTS_TOPIC = 'campaign-results-recorded';
export const ORIGIN_HEADER = 'origin';

/** Kafka refuses messages over 1 MB by default: a campaign's results are split below this. */
const MAX_MESSAGE_BYTES = 512 * 1024;

export function encodeRecordedBatch(results: RecordedResult[], origin: string): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  const open = new Map<number, { parts: string[]; bytes: number }>();
  const flush = (campaignId: number) => {
    const pending = open.get(campaignId);
    if (!pending || pending.parts.length === 0) return;
    messages.push({ key: String(campaignId), value: `[${pending.parts.join(',')}]`, headers: { [ORIGIN_HEADER]: origin } });
    open.delete(campaignId);
  };
  for (const result of results) {
    const json = JSON.stringify(result);
    const pending = open.get(result.campaign_id);
    if (pending && pending.bytes + json.length > MAX_MESSAGE_BYTES) flush(result.campaign_id);
    const current = open.get(result.campaign_id) ?? { parts: [], bytes: 0 };
    current.parts.push(json);
    current.bytes += json.length + 1;
    open.set(result.campaign_id, current);
  }
  for (const campaignId of [...open.keys()]) flush(campaignId);
  return messages;
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
