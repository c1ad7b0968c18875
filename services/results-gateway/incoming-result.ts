/**
 * Reads one message of the campaign-results topic. A message that is not a well-formed
 * CampaignResultMessage is reported as malformed (the recorder drops it: it can never succeed).
 * A message larger than the size limit keeps its campaign and host but loses its rows: it is
 * recorded as that host's error, so the watcher learns the host answered and why nothing shows.
 */
import type { CampaignResultMessage } from '../../shared/campaigns/campaign-results-topic';

export type IncomingResult =
  | { ok: true; result: CampaignResultMessage }
  | { ok: false; reason: string };

export function readIncomingResult(value: Buffer, maxResultBytes: number): IncomingResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'not a JSON object' };
  const { campaign_id: campaignId, host, rows, error, answered_at: answeredAt } = parsed;
  if (!isPositiveInteger(campaignId)) return { ok: false, reason: 'campaign_id is not a positive integer' };
  if (!isObject(host) || !isPositiveInteger(host.id)) return { ok: false, reason: 'host.id is not a positive integer' };
  const hostFields = {
    id: host.id,
    hostname: typeof host.hostname === 'string' ? host.hostname : '',
    display_name: typeof host.display_name === 'string' ? host.display_name : '',
  };
  const base = {
    campaign_id: campaignId,
    host: hostFields,
    answered_at: typeof answeredAt === 'string' ? answeredAt : new Date().toISOString(),
  };
  if (value.length > maxResultBytes) {
    return {
      ok: true,
      result: { ...base, rows: [], error: `result too large: ${value.length} bytes, the limit is ${maxResultBytes} bytes` },
    };
  }
  if (error !== null && error !== undefined && typeof error !== 'string') return { ok: false, reason: 'error is not a string or null' };
  if (!Array.isArray(rows) || !rows.every(isObject)) return { ok: false, reason: 'rows is not a list of objects' };
  return { ok: true, result: { ...base, rows: rows as Array<Record<string, string>>, error: error ?? null } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
