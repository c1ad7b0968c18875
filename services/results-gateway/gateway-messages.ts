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

/** A message with its JSON text, encoded once however many watchers get it. */
export interface OutgoingFrame {
  message: GatewayMessage;
  json: string;
}

export function frameOf(message: GatewayMessage): OutgoingFrame {
  return { message, json: JSON.stringify(message) };
}

export function resultFrame(result: RecordedResult): OutgoingFrame {
  return frameOf({
    type: 'result',
    data: {
      distributed_query_execution_id: result.campaign_id,
      host: result.host,
      rows: result.rows,
      error: result.error,
    },
  });
}

export const errorFrame = (text: string) => frameOf({ type: 'error', data: text });
