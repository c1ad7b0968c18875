/**
 * Reads one message of the campaign-results topic, in either of its formats (see
 * campaign-results-topic.ts). A message that is not a well-formed answer is reported as malformed
 * (the recorder drops it: it can never succeed). A message larger than the size limit keeps its
 * campaign and host but loses its rows: it is recorded as that host's error, so the watcher
 * learns the host answered and why nothing shows.
 *
 * Envelope-and-rows messages: only the envelope is parsed; the rows' text is checked to be a JSON
 * array by its brackets and to be valid UTF-8 (watchers get it in WebSocket text frames), and
 * kept as the message's bytes (the value itself, not a copy: the rows are never decoded to a
 * string on the gateway's path). First-format messages are parsed whole,
 * their rows checked one by one and written back as text (the cost the new format avoids).
 */
import { isUtf8 } from 'node:buffer';
import { ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import type { CampaignResultEnvelope } from '../../shared/campaigns/campaign-results-topic';
import type { IncomingMessage } from '../../shared/ports/results-bus';

/** A host's answer as the recorder records it: the envelope, and the rows' JSON text in UTF-8. */
export interface IncomingAnswer extends CampaignResultEnvelope {
  rows_utf8: Buffer;
}

export type IncomingResult = { ok: true; result: IncomingAnswer } | { ok: false; reason: string };

/** The envelope header is small; anything longer is not one the agent API wrote. */
const MAX_ENVELOPE_CHARS = 64 * 1024;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** The rows of a result recorded without any (never written to). */
const NO_ROWS = Buffer.from('[]');

export function readIncomingResult(message: Pick<IncomingMessage, 'value' | 'headers'>, maxResultBytes: number): IncomingResult {
  const envelopeText = message.headers[ENVELOPE_HEADER];
  return envelopeText === undefined ? readWholeMessage(message.value, maxResultBytes) : readEnvelopeAndRows(envelopeText, message.value, maxResultBytes);
}

function readEnvelopeAndRows(envelopeText: string, value: Buffer, maxResultBytes: number): IncomingResult {
  if (envelopeText.length > MAX_ENVELOPE_CHARS) return { ok: false, reason: 'envelope too large' };
  const parsed = parseJson(envelopeText);
  const envelope = readEnvelope(parsed);
  if (!envelope.ok) return envelope;
  if (value.length + envelopeText.length > maxResultBytes) return tooLarge(envelope.base, value.length + envelopeText.length, maxResultBytes);
  const error = (parsed as Record<string, unknown>).error;
  if (error !== null && error !== undefined && typeof error !== 'string') return { ok: false, reason: 'error is not a string or null' };
  if (value.length < 2 || value[0] !== OPEN_BRACKET || value[value.length - 1] !== CLOSE_BRACKET) return { ok: false, reason: 'rows is not a JSON array' };
  if (!isUtf8(value)) return { ok: false, reason: 'rows is not UTF-8 text' };
  const { base } = envelope;
  return { ok: true, result: { campaign_id: base.campaign_id, host: base.host, answered_at: base.answered_at, error: error ?? null, rows_utf8: value } };
}

function readWholeMessage(value: Buffer, maxResultBytes: number): IncomingResult {
  const parsed = parseJson(value.toString('utf8'));
  const envelope = readEnvelope(parsed);
  if (!envelope.ok) return envelope;
  if (value.length > maxResultBytes) return tooLarge(envelope.base, value.length, maxResultBytes);
  const { rows, error } = parsed as Record<string, unknown>;
  if (error !== null && error !== undefined && typeof error !== 'string') return { ok: false, reason: 'error is not a string or null' };
  if (!Array.isArray(rows) || !rows.every(isObject)) return { ok: false, reason: 'rows is not a list of objects' };
  return { ok: true, result: { ...envelope.base, error: error ?? null, rows_utf8: Buffer.from(JSON.stringify(rows), 'utf8') } };
}

type Base = Omit<CampaignResultEnvelope, 'error'>;

function readEnvelope(parsed: unknown): { ok: true; base: Base } | { ok: false; reason: string } {
  if (parsed === undefined) return { ok: false, reason: 'not JSON' };
  if (!isObject(parsed)) return { ok: false, reason: 'not a JSON object' };
  const { campaign_id: campaignId, host, answered_at: answeredAt } = parsed;
  if (!isPositiveInteger(campaignId)) return { ok: false, reason: 'campaign_id is not a positive integer' };
  if (!isObject(host) || !isPositiveInteger(host.id)) return { ok: false, reason: 'host.id is not a positive integer' };
  return {
    ok: true,
    base: {
      campaign_id: campaignId,
      host: {
        id: host.id,
        hostname: typeof host.hostname === 'string' ? host.hostname : '',
        display_name: typeof host.display_name === 'string' ? host.display_name : '',
      },
      answered_at: typeof answeredAt === 'string' ? answeredAt : new Date().toISOString(),
    },
  };
}

function tooLarge(base: Base, bytes: number, maxResultBytes: number): IncomingResult {
  return { ok: true, result: { ...base, rows_utf8: NO_ROWS, error: `result too large: ${bytes} bytes, the limit is ${maxResultBytes} bytes` } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
