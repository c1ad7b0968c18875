/**
 * The campaign-results-recorded topic: what one instance's recorder stored, for the other
 * instances to push to their own watchers. Key String(campaign_id); header `origin` names the
 * recording instance (which has already delivered them locally and skips its own messages).
 *
 * Value: results of one campaign, in seq order, in one of two formats (both are read):
 * - Records (header `format: records`, written since issue 13): for each result its envelope as
 *   one line of JSON (campaign_id, seq, host, error, answered_at, and `rows_chars`, the length of
 *   the rows' text in UTF-16 code units), a newline, then the rows' JSON text as recorded. The
 *   rows are not parsed on either side (their bytes are decoded to text here and encoded back
 *   when read: a cost only while several instances run). (JSON.stringify never writes a raw
 *   newline, so the envelope ends at the first one; the rows' text is skipped by its length, so
 *   whatever it holds cannot be taken for the next envelope.)
 * - JSON (no `format` header, the first format): a JSON array of results with parsed `rows`.
 */
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { IncomingMessage, OutgoingMessage } from '../../shared/ports/results-bus';

export const RECORDED_RESULTS_TOPIC = 'campaign-results-recorded';
export const ORIGIN_HEADER = 'origin';
export const FORMAT_HEADER = 'format';
const RECORDS_FORMAT = 'records';

/** Kafka refuses messages over 1 MB by default: a campaign's results are split below this. */
const MAX_MESSAGE_BYTES = 512 * 1024;

export function encodeRecordedBatch(results: RecordedResult[], origin: string): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  const open = new Map<number, { parts: string[]; bytes: number }>();
  const flush = (campaignId: number) => {
    const pending = open.get(campaignId);
    if (!pending || pending.parts.length === 0) return;
    messages.push({ key: String(campaignId), value: pending.parts.join(''), headers: { [ORIGIN_HEADER]: origin, [FORMAT_HEADER]: RECORDS_FORMAT } });
    open.delete(campaignId);
  };
  for (const result of results) {
    const record = encodeRecord(result);
    const pending = open.get(result.campaign_id);
    if (pending && pending.bytes + record.length > MAX_MESSAGE_BYTES) flush(result.campaign_id);
    const current = open.get(result.campaign_id) ?? { parts: [], bytes: 0 };
    current.parts.push(record);
    current.bytes += record.length;
    open.set(result.campaign_id, current);
  }
  for (const campaignId of [...open.keys()]) flush(campaignId);
  return messages;
}

function encodeRecord(result: RecordedResult): string {
  const { campaign_id, seq, host, error, answered_at } = result;
  const rowsText = result.rows_utf8.toString('utf8');
  return `${JSON.stringify({ campaign_id, seq, host, error, answered_at, rows_chars: rowsText.length })}\n${rowsText}`;
}

/** The results of one message; [] when it cannot be read (it is then skipped). */
export function decodeRecordedBatch(message: Pick<IncomingMessage, 'value' | 'headers'>): RecordedResult[] {
  try {
    return message.headers[FORMAT_HEADER] === RECORDS_FORMAT ? decodeRecords(message.value.toString('utf8')) : decodeJson(message.value.toString('utf8'));
  } catch {
    return [];
  }
}

function decodeRecords(text: string): RecordedResult[] {
  const results: RecordedResult[] = [];
  for (let at = 0; at < text.length; ) {
    const lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) return [];
    const { rows_chars: rowsChars, ...envelope } = JSON.parse(text.slice(at, lineEnd)) as Omit<RecordedResult, 'rows_utf8'> & { rows_chars: unknown };
    if (!Number.isSafeInteger(rowsChars) || (rowsChars as number) < 0 || lineEnd + 1 + (rowsChars as number) > text.length) return [];
    if (!isRecorded(envelope)) return [];
    at = lineEnd + 1 + (rowsChars as number);
    results.push({ ...envelope, rows_utf8: Buffer.from(text.slice(lineEnd + 1, at), 'utf8') });
  }
  return results;
}

function decodeJson(text: string): RecordedResult[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isRecorded).map(({ rows, ...rest }: Omit<RecordedResult, 'rows_utf8'> & { rows?: unknown }) => ({
    ...rest,
    rows_utf8: Buffer.from(JSON.stringify(Array.isArray(rows) ? rows : []), 'utf8'),
  }));
}

function isRecorded(value: unknown): value is Omit<RecordedResult, 'rows_utf8'> {
  if (typeof value !== 'object' || value === null) return false;
  const { campaign_id: campaignId, seq, host } = value as Record<string, unknown>;
  return Number.isSafeInteger(campaignId) && Number.isSafeInteger(seq) && typeof host === 'object' && host !== null;
}
