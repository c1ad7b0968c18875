/**
 * Fleet's results socket protocol: what the server sends (totals, status, result, error) and
 * what a watcher sends (auth, select_campaign). Socket.IO carries the same `data` as events.
 */
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { CampaignResultHost } from '../../shared/campaigns/campaign-results-topic';
import type { CampaignTotals } from '../../shared/domain/campaigns/campaign-events';

export interface CampaignStatusData {
  expected_results: number;
  actual_results: number;
  status: 'pending' | 'finished';
}

export interface ResultData {
  distributed_query_execution_id: number;
  host: CampaignResultHost;
  rows: Array<Record<string, string>>;
  error: string | null;
}

export type GatewayMessage =
  | { type: 'totals'; data: CampaignTotals }
  | { type: 'status'; data: CampaignStatusData }
  | { type: 'result'; data: ResultData }
  | { type: 'error'; data: string };

/**
 * A message with its JSON text, encoded once however many watchers get it. The raw WebSocket and
 * SockJS send `json`; Socket.IO emits `message` (type and data).
 */
export interface OutgoingFrame {
  readonly message: GatewayMessage;
  readonly json: string;
}

export function frameOf(message: GatewayMessage): OutgoingFrame {
  return { message, json: JSON.stringify(message) };
}

/**
 * A result's frame, its JSON text spliced from the recorded rows' text (never parsed here): the
 * same text JSON.stringify would give for the message, fields in the same order. `message` is
 * parsed from that text on first use (only Socket.IO watchers need it).
 */
export function resultFrame(result: RecordedResult): OutgoingFrame {
  const json =
    `{"type":"result","data":{"distributed_query_execution_id":${result.campaign_id},` +
    `"host":${JSON.stringify(result.host)},"rows":${result.rows_json},"error":${JSON.stringify(result.error)}}}`;
  let message: GatewayMessage | undefined;
  return {
    json,
    get message() {
      return (message ??= JSON.parse(json) as GatewayMessage);
    },
  };
}

export const errorFrame = (text: string) => frameOf({ type: 'error', data: text });
