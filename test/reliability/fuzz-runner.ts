/**
 * Sends the fuzzer's cases to a server on loopback, a bounded number at a time, each bounded in
 * time: HTTP requests byte for byte with node:http (no path normalisation), WebSocket
 * conversations with `ws`, raw upgrade requests over TCP.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket from 'ws';
import type { FuzzCase, HttpCase, HttpStep, Outcome, SocketCase } from './fuzz-case';

const REQUEST_TIMEOUT_MS = 15_000;
/** An upgrade is answered (101 or a refusal) at once by a healthy server. */
const UPGRADE_TIMEOUT_MS = 5_000;
/** How long a socket conversation stays open after its last frame, to see how the server answers. */
const SOCKET_LINGER_MS = 150;
/** Enough to parse any error body; the report shows 200 characters. */
const BODY_KEPT = 512 * 1024;

export function sendHttp(baseUrl: string, c: HttpStep, agent: http.Agent, sid?: string): Promise<Outcome> {
  const url = new URL(baseUrl);
  const path = sid ? c.path.replace('{sid}', sid) : c.path;
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined) headers['content-length'] = String(c.body.length);
    let req: http.ClientRequest;
    try {
      req = http.request({ host: url.hostname, port: url.port, method: c.method, path, headers, agent, timeout: REQUEST_TIMEOUT_MS });
    } catch (error) {
      // The client refused to send it (e.g. a character Node never puts in a request line).
      return resolve({ status: null, body: '', error: `not sent: ${(error as Error).message}` });
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < BODY_KEPT) chunks.push(chunk);
        kept += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_KEPT) }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: String(error) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve({ status: null, body: '', error: error.message }));
    req.end(c.body);
  });
}

/** Runs the case's `before` requests first on the same agent, then the case itself. */
async function runHttp(baseUrl: string, c: HttpCase, agent: http.Agent): Promise<Outcome> {
  let sid: string | undefined;
  for (const step of c.before ?? []) {
    const answer = await sendHttp(baseUrl, step, agent);
    sid = /"sid":"([^"]+)"/.exec(answer.body)?.[1] ?? sid;
  }
  return sendHttp(baseUrl, c, agent, sid);
}

function runWebSocket(baseUrl: string, c: SocketCase): Promise<Outcome> {
  return new Promise((resolve) => {
    let outcome: Outcome = { status: null, body: '' };
    let socket: WebSocket;
    try {
      socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + c.path, { headers: c.headers, handshakeTimeout: UPGRADE_TIMEOUT_MS });
    } catch (error) {
      return resolve({ status: null, body: '', error: `not sent: ${(error as Error).message}` });
    }
    const received: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      resolve({ ...outcome, body: outcome.body || received.join('\n').slice(0, BODY_KEPT) });
    };
    const linger = () => {
      clearTimeout(timer);
      timer = setTimeout(() => socket.close(), SOCKET_LINGER_MS);
    };
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        outcome = { status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_KEPT) };
        socket.terminate();
        finish();
      });
    });
    socket.on('open', () => {
      outcome = { ...outcome, status: 101 };
      for (const f of c.frames) socket.send(f);
      linger();
    });
    socket.on('message', (data) => {
      received.push(data.toString().slice(0, 300));
      linger();
    });
    socket.on('close', (code) => {
      if (outcome.status === 101) outcome = { ...outcome, closeCode: code };
      finish();
    });
    socket.on('error', (error) => {
      if (outcome.status === null) outcome = { status: null, body: '', error: /handshake has timed out/.test(error.message) ? `no answer within ${UPGRADE_TIMEOUT_MS} ms to the upgrade` : error.message };
    });
  });
}

function runRaw(baseUrl: string, c: SocketCase): Promise<Outcome> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let answer = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, UPGRADE_TIMEOUT_MS);
    socket.on('connect', () => socket.write(c.raw ?? ''));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      // One status line and headers are enough: a 101 would keep the socket open.
      if (answer.includes('\r\n\r\n')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      resolve(status ? { status: Number(status[1]), body: answer.slice(0, BODY_KEPT) } : { status: null, body: answer.slice(0, BODY_KEPT), error: timedOut ? `no answer within ${UPGRADE_TIMEOUT_MS} ms to the upgrade` : answer ? 'no status line' : 'closed without an answer' });
    });
  });
}

export function runCase(baseUrl: string, c: FuzzCase, agent: http.Agent): Promise<Outcome> {
  if (c.kind === 'http') return runHttp(baseUrl, c, agent);
  return c.transport === 'ws' ? runWebSocket(baseUrl, c) : runRaw(baseUrl, c);
}

/** Runs every case with at most `concurrency` in flight; `after` sees each outcome as it comes. */
export async function runAll(baseUrl: string, cases: readonly FuzzCase[], concurrency: number, after: (c: FuzzCase, outcome: Outcome, ms: number) => void, stop: () => boolean = () => false): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const worker = async () => {
    while (next < cases.length && !stop()) {
      const c = cases[next++];
      const started = performance.now();
      const outcome = await runCase(baseUrl, c, agent);
      after(c, outcome, performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}
