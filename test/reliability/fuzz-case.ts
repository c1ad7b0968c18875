/**
 * What the fuzzer sends: plain data, so that a failing case prints exactly and the same seed
 * yields the same cases (only the tokens, node keys and ids of the started server differ).
 */

/** Which documented error shape a route's error answers must have. */
export type Family =
  | 'fleet' // Fleet's {"message", "errors": [{"name", "reason"}]}: /api/v1/fleet/* and /api/v1/setup
  | 'osquery' // {"error": "..."}: /api/v1/osquery/*
  | 'launcher' // {"sessions", "error", "node_invalid"}: POST /api/v1/shells
  | 'sockjs' // SockJS's own protocol under /api/v1/fleet/results
  | 'socketio' // engine.io's protocol under /socket.io/
  | 'console' // static files of the browser terminal
  | 'other'; // /healthz, /metrics, unknown paths

export interface HttpCase {
  kind: 'http';
  id: number;
  /** The route template (e.g. "GET /api/v1/fleet/spec/:kind/:name"), for grouping failures. */
  route: string;
  mutation: string;
  family: Family;
  method: string;
  /** Sent byte for byte as the request target (no normalisation of "..", "%" or the like). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Cases sent one after another on one connection before this one (e.g. SockJS: open, then send). */
  before?: HttpStep[];
}

/** A request sent before a case on the same connection. */
export type HttpStep = Omit<HttpCase, 'id' | 'before'>;

/** A WebSocket (or raw upgrade) conversation: connect, send frames, see how it ends. */
export interface SocketCase {
  kind: 'socket';
  id: number;
  route: string;
  mutation: string;
  family: Family;
  method: 'UPGRADE';
  path: string;
  headers: Record<string, string>;
  /**
   * 'ws': a real WebSocket handshake, then `frames`; 'raw': `raw` written to a TCP socket as is
   * (garbage handshakes), the answer's status line read back.
   */
  transport: 'ws' | 'raw';
  frames: Array<string | Buffer>;
  raw?: string;
}

export type FuzzCase = HttpCase | SocketCase;

/** What came back: an HTTP status (or a WebSocket close code), or why nothing did. */
export interface Outcome {
  /** HTTP status; for sockets the upgrade refusal's status, or 101 when it opened. */
  status: number | null;
  /** WebSocket close code, when the server closed an open socket. */
  closeCode?: number;
  body: string;
  /** A transport error instead of an answer (reset, timeout). */
  error?: string;
}

/** What the server knows and the fuzzer may use to build valid requests. */
export interface FuzzContext {
  tokens: { admin: string; maintainer: string; observer: string };
  /** Admin sessions that the fuzzer may log out (the role tokens above must stay valid). */
  disposableTokens: string[];
  adminEmail: string;
  adminPassword: string;
  enrollSecret: string;
  nodeKey: string;
  hostId: number;
  hostname: string;
  labelId: number;
  /** The id of the team named specNames.teams (GET /teams/:id). */
  teamId: number;
  campaignId: number;
  /** Names of specs that exist, by kind. */
  specNames: Record<'queries' | 'packs' | 'labels' | 'policies' | 'teams', string>;
  shellSessionId: string;
  /** An observer only the one-user routes act on (renamed, re-roled, deleted). */
  fuzzUser: { id: number; email: string };
}
