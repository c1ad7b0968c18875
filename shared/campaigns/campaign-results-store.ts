/**
 * Recorded results of live query campaigns, on the read store port: written by the results
 * gateway's recorder, read by the gateway (replay) and the operator API (results pages, CSV).
 *
 * Recorded results are not a projection of the event log: they live in a collection outside the
 * read models' generations (`campaign_results`), so a projection rebuild, which drops old
 * generations, never deletes them.
 *
 * A campaign's recorded count lives in the same collection (id `count:<campaign>`, without a
 * campaign_id field so that result queries do not match it), so that one bulk write stores a
 * batch's results and counts together: one transaction on LMDB; in order on MongoDB.
 *
 * A result's rows are kept as their JSON text in UTF-8 (`rows_utf8`: bytes, a MessagePack bin on
 * LMDB, a BSON Binary on MongoDB), as the host's answer carried them, and framed for watchers as
 * those bytes (never decoded to a string on the way). Results stored before hold the text as a
 * string (`rows_json`), or, before issue 13, parsed `rows`: they are read as if their bytes were
 * that text, or JSON.stringify(rows) (no migration needed).
 */
import type { BulkOperation, ReadStore } from '../ports/read-store';
import type { CampaignResultHost } from './campaign-results-topic';

/** One host's answer to one campaign, as recorded (at most one per campaign and host). */
export interface RecordedResult {
  campaign_id: number;
  /** Arrival order within the campaign: 1 for the first recorded result, +1 for each next one. */
  seq: number;
  host: CampaignResultHost;
  /**
   * The rows' JSON text in UTF-8: an array of objects of strings. Possibly a view of the bus
   * message it came in (not a copy): never written to.
   */
  rows_utf8: Buffer;
  error: string | null;
  answered_at: string;
}

/** A stored result doc: `rows_utf8` (bytes; a BSON Binary as MongoDB returns it), or the older `rows_json` or `rows`. */
type StoredResult = Omit<RecordedResult, 'rows_utf8'> & { rows_utf8?: unknown; rows_json?: unknown; rows?: unknown };

function fromStored(doc: StoredResult): RecordedResult {
  if (Buffer.isBuffer(doc.rows_utf8)) return doc as RecordedResult; // as LMDB returns it: no copy
  const { rows_utf8: stored, rows_json: rowsJson, rows, ...rest } = doc;
  const bytes = bytesOf(stored) ?? Buffer.from(typeof rowsJson === 'string' ? rowsJson : JSON.stringify(Array.isArray(rows) ? rows : []), 'utf8');
  return { ...rest, rows_utf8: bytes };
}

/** Stored bytes as a Buffer (no copy): a Uint8Array (a Buffer included), or a BSON Binary (its `buffer`). */
function bytesOf(value: unknown): Buffer | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const binary = value as { _bsontype?: unknown; buffer?: unknown; position?: unknown } | null;
  if (typeof binary === 'object' && binary !== null && binary._bsontype === 'Binary' && binary.buffer instanceof Uint8Array) {
    const length = typeof binary.position === 'number' ? binary.position : binary.buffer.byteLength;
    return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, length);
  }
  return undefined;
}

/** The rows of a result, parsed (for the operator API's pages and CSV); [] if the text is not a list. */
export function rowsOf(result: RecordedResult): Array<Record<string, string>> {
  try {
    const rows: unknown = JSON.parse(result.rows_utf8.toString('utf8'));
    return Array.isArray(rows) ? (rows as Array<Record<string, string>>) : [];
  } catch {
    return [];
  }
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
  /** Deletes the campaign's results and its count (idempotent); resolves with how many results there were. */
  deleteCampaign(campaignId: number): Promise<number>;
}

const CAMPAIGN_RESULTS = 'campaign_results';

export const resultId = (campaignId: number, hostId: number) => `${campaignId}:${hostId}`;
const countId = (campaignId: number) => `count:${campaignId}`;

interface CountDoc {
  count_of_campaign: number;
  recorded: number;
}

export function readStoreResults(store: ReadStore): CampaignResultsStore {
  const collection = store.collection<StoredResult | CountDoc>(CAMPAIGN_RESULTS);
  return {
    async getResult(campaignId, hostId) {
      const doc = (await collection.get(resultId(campaignId, hostId))) as StoredResult | null;
      return doc && fromStored(doc);
    },
    async recordedCount(campaignId) {
      return ((await collection.get(countId(campaignId))) as CountDoc | null)?.recorded ?? 0;
    },
    async record(recorded, newCounts) {
      const operations: Array<BulkOperation<StoredResult | CountDoc>> = recorded.map((doc) => ({
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
      // The campaign's result ids share the prefix "<campaign id>:": one id range, not every campaign's results.
      const all = (await collection.find({ idPrefix: `${campaignId}:`, where: { campaign_id: campaignId }, sort: { field: 'seq', direction: 'asc' } })) as StoredResult[];
      return (afterSeq <= 0 ? all : all.filter((doc) => doc.seq > afterSeq)).map(fromStored);
    },
    async deleteCampaign(campaignId) {
      const stored = (await collection.find({ idPrefix: `${campaignId}:`, where: { campaign_id: campaignId } })) as StoredResult[];
      await collection.bulk([
        ...stored.map((doc) => ({ op: 'delete' as const, id: resultId(campaignId, doc.host.id) })),
        { op: 'delete', id: countId(campaignId) },
      ]);
      return stored.length;
    },
  };
}
