/** Test clients for remote shells: a host enrolling and polling, and either side's WebSocket. */
import { WebSocket } from 'ws';
import type { FleetClient } from './fleet-client';

export const ENROLL_SECRET = 'shell-test-enroll-secret';

export async function applyEnrollSecret(admin: FleetClient, secret = ENROLL_SECRET): Promise<void> {
  const res = await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret }] } });
  if (res.status !== 200) throw new Error(`enroll secret apply failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function enrollHost(baseUrl: string, hostIdentifier: string, secret = ENROLL_SECRET): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/osquery/enroll`, {
    method: 'POST',
    body: JSON.stringify({ enroll_secret: secret, host_identifier: hostIdentifier, platform_type: '9', host_details: { system_info: { hostname: hostIdentifier } } }),
  });
  const body = (await res.json()) as { node_key?: string };
  if (!body.node_key) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(body)}`);
  return body.node_key;
}

export async function pollShells(baseUrl: string, nodeKey: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/v1/shells`, { method: 'POST', body: JSON.stringify({ node_key: nodeKey }) });
  return { status: res.status, body: await res.json() };
}

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket that keeps every text frame it receives and how it closed. */
export class RecordingSocket {
  readonly frames: string[] = [];
  readonly closed: Promise<Closed>;
  readonly opened: Promise<void>;
  private listeners: Array<() => void> = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(data.toString());
      for (const listener of this.listeners) listener();
    });
    socket.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('close', () => reject(new Error('closed before opening')));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Terminal output so far: the '1' frames' base64, decoded. */
  output(): string {
    return this.frames
      .filter((frame) => frame[0] === '1')
      .map((frame) => Buffer.from(frame.slice(1), 'base64').toString('utf8'))
      .join('');
  }

  /** Resolves once `test` holds for the frames received, or fails after `timeoutMs`. */
  waitFor(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(this.output().slice(-500))}`));
      }, timeoutMs);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => pattern.test(this.output()), `output matching ${pattern}`, timeoutMs);
  }
}

export function wsUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/^http/, 'ws') + path;
}

/** The operator's side: connects and authenticates with the first frame. */
export async function joinAsOperator(baseUrl: string, sessionId: string, token: string): Promise<RecordingSocket> {
  const client = new RecordingSocket(new WebSocket(wsUrl(baseUrl, `/api/v1/fleet/shells/${sessionId}/websocket`)));
  await client.opened;
  client.send(JSON.stringify({ type: 'auth', data: { token } }));
  return client;
}

/** A hand-driven launcher side: the secret as a Bearer header, or as the first frame. */
export async function joinAsLauncher(baseUrl: string, sessionId: string, secret: string, via: 'header' | 'frame' = 'header'): Promise<RecordingSocket> {
  const socket = new WebSocket(wsUrl(baseUrl, `/api/v1/shells/${sessionId}`), via === 'header' ? { headers: { authorization: `Bearer ${secret}` } } : {});
  const client = new RecordingSocket(socket);
  await client.opened;
  if (via === 'frame') client.send(`0${secret}`);
  return client;
}
