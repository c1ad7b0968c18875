/**
 * The results path's message formats: rows travel as their JSON text's bytes, never parsed (nor
 * decoded) between the agent API and a raw WebSocket watcher; messages of the first formats (still
 * in topics and journals) and results stored in earlier formats read the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { readStoreResults, rowsOf, type RecordedResult } from '../../shared/campaigns/campaign-results-store';
import { campaignResultMessage, ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import { resultFrame } from '../../services/results-gateway/gateway-messages';
import { readIncomingResult } from '../../services/results-gateway/incoming-result';
import { decodeRecordedBatch, encodeRecordedBatch, FORMAT_HEADER } from '../../services/results-gateway/recorded-results-topic';

const rows = [{ name: 'osqueryd', path: 'C:\\Program Files\n{"campaign_id":1,"seq":2}\n' }, { 'é': '"quoted" ]}' }];
const envelope = { campaign_id: 7, host: { id: 3, hostname: 'h3.example.com', display_name: 'h3' }, error: null, answered_at: '2026-12-01T00:00:00.000Z' };
const recorded = (seq: number, campaignId = 7): RecordedResult => ({ ...envelope, campaign_id: campaignId, seq, rows_utf8: Buffer.from(JSON.stringify(rows)) });
const incoming = (value: string, headers: Record<string, string> = {}) => ({ value: Buffer.from(value), headers });

describe('results formats', () => {
  it('the agent API message keeps the envelope in a header and the rows as the value, read back without touching the rows', () => {
    const message = campaignResultMessage(envelope, JSON.stringify(rows));
    const read = readIncomingResult(incoming(String(message.value), message.headers), 1_000_000);
    assert.deepEqual(read, { ok: true, result: { ...envelope, rows_utf8: Buffer.from(JSON.stringify(rows)) } });
  });

  it('a message of the first format reads as the same answer', () => {
    const read = readIncomingResult(incoming(JSON.stringify({ ...envelope, rows })), 1_000_000);
    assert.deepEqual(read, { ok: true, result: { ...envelope, rows_utf8: Buffer.from(JSON.stringify(rows)) } });
  });

  it('a result frame is the text JSON.stringify would give, and Socket.IO gets the same message', () => {
    const frame = resultFrame(recorded(1));
    const message = { type: 'result', data: { distributed_query_execution_id: 7, host: envelope.host, rows, error: null } };
    assert.equal(frame.json, JSON.stringify(message));
    assert.deepEqual(frame.text, Buffer.from(JSON.stringify(message)));
    assert.equal(frame.size, Buffer.byteLength(JSON.stringify(message)));
    assert.deepEqual(frame.message, message);
    const failed = resultFrame({ ...recorded(2), rows_utf8: Buffer.from('[]'), error: 'no such table: "é"' });
    assert.equal(failed.json, JSON.stringify({ type: 'result', data: { distributed_query_execution_id: 7, host: envelope.host, rows: [], error: 'no such table: "é"' } }));
  });

  it('recorded results cross to other instances with their rows text as it was, whatever it holds', () => {
    const results = [recorded(1), recorded(2), { ...recorded(3), rows_utf8: Buffer.from('[]'), error: 'no such table' }, recorded(1, 8)];
    const messages = encodeRecordedBatch(results, 'gw-1');
    assert.deepEqual(messages.map((message) => message.key), ['7', '8']);
    const decoded = messages.flatMap((message) => decodeRecordedBatch(incoming(String(message.value), message.headers!)));
    assert.deepEqual(decoded, results);
  });

  it('reads recorded-topic messages of the first format (a JSON array), and skips unreadable ones', () => {
    const { rows_utf8: _, ...first } = recorded(4);
    assert.deepEqual(decodeRecordedBatch(incoming(JSON.stringify([{ ...first, rows }]))), [recorded(4)]);
    const [message] = encodeRecordedBatch([recorded(1)], 'gw-1');
    const text = String(message.value);
    assert.deepEqual(decodeRecordedBatch(incoming(text.slice(0, -3), message.headers!)), [], 'rows cut short');
    assert.deepEqual(decodeRecordedBatch(incoming('garbage', { [FORMAT_HEADER]: 'records' })), []);
    assert.deepEqual(decodeRecordedBatch(incoming('not json')), []);
  });

  it('keeps the campaign and host of an answer over the size limit, as its error', () => {
    const message = campaignResultMessage(envelope, JSON.stringify(rows));
    const read = readIncomingResult(incoming(String(message.value), { [ENVELOPE_HEADER]: message.headers![ENVELOPE_HEADER] }), 100);
    assert.ok(read.ok);
    assert.equal(read.result.rows_utf8.toString(), '[]');
    assert.match(read.result.error!, /^result too large/);
  });

  it('stores the rows as bytes, and reads results stored before (rows_json text; parsed rows) as if those were their bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logbook-results-formats-'));
    const store = await openLmdbReadStore(dir);
    try {
      const results = readStoreResults(store);
      await results.record([recorded(1)], new Map([[7, 1]]));
      const { rows_utf8: _, ...first } = recorded(1);
      await store.collection('campaign_results').put('7:4', { ...first, seq: 2, host: { ...first.host, id: 4 }, rows_json: JSON.stringify(rows) });
      await store.collection('campaign_results').put('7:5', { ...first, seq: 3, host: { ...first.host, id: 5 }, rows });
      await store.collection('campaign_results').put('count:7', { count_of_campaign: 7, recorded: 3 });
      const stored = await results.getResult(7, 3);
      assert.deepEqual(stored, recorded(1));
      assert.ok(Buffer.isBuffer(stored!.rows_utf8));
      const all = await results.resultsAfter(7, 0);
      assert.deepEqual(all.map((result) => result.seq), [1, 2, 3]);
      for (const result of all) assert.deepEqual(result.rows_utf8, recorded(1).rows_utf8);
      assert.deepEqual(rowsOf(recorded(1)), rows);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
