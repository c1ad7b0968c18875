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
 * A message with its JSON text, encoded once however many watchers get it. The raw WebSocket
 * sends `text` (a string, or the UTF-8 bytes of a result's frame, sent as a text frame as they
 * are); SockJS sends `json`; Socket.IO emits `message` (type and data). `size` is the length of
 * `text` (bytes or UTF-16 code units), what a watcher's backlog counts.
 */
export interface OutgoingFrame {
  readonly message: GatewayMessage;
  readonly json: string;
  readonly text: string | Buffer;
  readonly size: number;
}

class JsonFrame implements OutgoingFrame {
  readonly json: string;
  constructor(readonly message: GatewayMessage) {
    this.json = JSON.stringify(message);
  }
  get text(): string {
    return this.json;
  }
  get size(): number {
    return this.json.length;
  }
}

export function frameOf(message: GatewayMessage): OutgoingFrame {
  return new JsonFrame(message);
}

/**
 * A result's frame as UTF-8 bytes, spliced around the recorded rows' bytes (never parsed or
 * decoded here): the text JSON.stringify would give for the message, fields in the same order.
 * `json` and `message` are decoded and parsed from those bytes on use (SockJS and Socket.IO).
 */
class ResultFrame implements OutgoingFrame {
  private parsed: GatewayMessage | undefined;
  constructor(readonly text: Buffer) {}
  get size(): number {
    return this.text.length;
  }
  get json(): string {
    return this.text.toString('utf8');
  }
  get message(): GatewayMessage {
    return (this.parsed ??= JSON.parse(this.json) as GatewayMessage);
  }
}

const RESULT_END_NO_ERROR = ',"error":null}}';

export function resultFrame(result: RecordedResult): OutgoingFrame {
  const head = `{"type":"result","data":{"distributed_query_execution_id":${result.campaign_id},"host":${JSON.stringify(result.host)},"rows":`;
  const tail = result.error === null ? RESULT_END_NO_ERROR : `,"error":${JSON.stringify(result.error)}}}`;
  const rows = result.rows_utf8;
  const headBytes = Buffer.byteLength(head, 'utf8');
  const text = Buffer.allocUnsafe(headBytes + rows.length + Buffer.byteLength(tail, 'utf8'));
  text.write(head, 0, 'utf8');
  rows.copy(text, headBytes);
  text.write(tail, headBytes + rows.length, 'utf8');
  return new ResultFrame(text);
}

export const errorFrame = (text: string) => frameOf({ type: 'error', data: text });
