/**
 * One campaign's results over Socket.IO's /campaigns namespace (services/results-gateway): auth
 * in the handshake, `select_campaign`, then `totals`, `status`, `result` and `error` events.
 *
 * Invariants:
 * - each host answers a campaign once, so results are kept by host id: a result for a host
 *   already held is skipped. That is what makes a reconnect safe: on every (re)connect the
 *   campaign is selected again, the gateway replays every stored result, and only the ones not
 *   yet held are added ("reconnect and resume from the stored results");
 * - rows and errors only grow while the stream lives; `version` counts changes, and listeners are
 *   told at most once per animation frame however fast results arrive (the table renders what
 *   is visible, so 10,000 hosts cost a frame each, not a render each).
 */
import { io, type Socket } from 'socket.io-client';
import { forgetToken, token } from './api';

export interface ResultHost {
  id: number;
  hostname: string;
  display_name?: string;
}

export interface CampaignTotals {
  count: number;
  online: number;
  offline: number;
  missing_in_action: number;
}

export interface StreamState {
  /** One entry per result row: the host's name first, then the row's columns. */
  rows: Array<Record<string, string>>;
  columns: string[];
  errors: Array<{ host: string; host_id: number; error: string }>;
  /** Hosts that answered (rows or an error). */
  answered: number;
  totals: CampaignTotals | null;
  finished: boolean;
  connection: 'connecting' | 'live' | 'reconnecting' | 'closed';
  lastError: string | null;
  version: number;
}

export const HOST_COLUMN = 'host';

export class CampaignStream {
  readonly state: StreamState = { rows: [], columns: [HOST_COLUMN], errors: [], answered: 0, totals: null, finished: false, connection: 'connecting', lastError: null, version: 0 };
  private readonly seenHosts = new Set<number>();
  private readonly columnSet = new Set<string>([HOST_COLUMN]);
  private readonly socket: Socket;
  private readonly listeners = new Set<() => void>();
  private frame = 0;

  constructor(readonly campaignId: number) {
    this.socket = io('/campaigns', { auth: { token: token() ?? '' }, transports: ['websocket', 'polling'], reconnectionDelayMax: 5_000 });
    this.socket.on('connect', () => {
      this.state.connection = 'live';
      this.state.lastError = null;
      this.socket.emit('select_campaign', { campaign_id: campaignId });
      this.changed();
    });
    this.socket.on('disconnect', (reason) => {
      // The server cut us off on purpose (logout, too slow): reconnect by hand; otherwise socket.io retries.
      this.state.connection = this.closedByUs ? 'closed' : 'reconnecting';
      if (reason === 'io server disconnect' && !this.closedByUs) this.socket.connect();
      this.changed();
    });
    this.socket.on('connect_error', (error) => {
      if (/invalid or expired token/.test(error.message)) {
        this.close();
        forgetToken('Your session ended (it expired or was signed out): sign in again.');
        return;
      }
      this.state.connection = 'reconnecting';
      this.state.lastError = `connection: ${error.message}`;
      this.changed();
    });
    this.socket.on('totals', (totals: CampaignTotals) => {
      this.state.totals = totals;
      this.changed();
    });
    this.socket.on('status', (status: { status: string }) => {
      if (status?.status === 'finished') this.state.finished = true;
      this.changed();
    });
    this.socket.on('error', (text: unknown) => {
      this.state.lastError = String(text);
      this.changed();
    });
    this.socket.on('result', (result: { host: ResultHost; rows: Array<Record<string, string>> | null; error: string | null }) => this.add(result));
  }

  private closedByUs = false;

  private add(result: { host: ResultHost; rows: Array<Record<string, string>> | null; error: string | null }): void {
    const host = result?.host;
    if (!host || this.seenHosts.has(host.id)) return;
    this.seenHosts.add(host.id);
    this.state.answered++;
    const name = host.display_name || host.hostname || `host ${host.id}`;
    if (result.error) {
      this.state.errors.push({ host: name, host_id: host.id, error: String(result.error) });
    } else {
      for (const row of result.rows ?? []) {
        for (const key of Object.keys(row)) {
          if (!this.columnSet.has(key)) {
            this.columnSet.add(key);
            this.state.columns.push(key);
          }
        }
        this.state.rows.push({ [HOST_COLUMN]: name, ...row });
      }
    }
    this.changed();
  }

  private changed(): void {
    this.state.version++;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const listener of this.listeners) listener();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closedByUs = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.socket.close();
    this.state.connection = 'closed';
  }
}

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: quoted with a ' in front.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function rowsAsCsv(columns: string[], rows: Array<Record<string, string>>): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return lines.join('\r\n') + '\r\n';
}
