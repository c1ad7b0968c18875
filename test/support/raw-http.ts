/**
 * Requests written by hand on a TCP socket, for what HTTP clients hide: an upgrade to any path
 * with any headers, a body that is declared but never sent. `answer` resolves with the status
 * line and headers once they arrived; `closed` once the server closed the connection.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  answer: Promise<{ status: number; head: string }>;
  closed: Promise<void>;
}

export function rawRequest(baseUrl: string, requestHead: string): RawExchange {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  let received = '';
  const answer = new Promise<{ status: number; head: string }>((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end !== -1) resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), head: received.slice(0, end) });
    });
    socket.once('close', () => reject(new Error(`closed before an answer; got ${JSON.stringify(received.slice(0, 200))}`)));
  });
  answer.catch(() => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(requestHead);
  return { socket, answer, closed };
}

/** A WebSocket upgrade request for `path`, with extra headers (such as Origin). */
export function rawUpgrade(baseUrl: string, path: string, headers: Record<string, string> = {}): RawExchange {
  const host = new URL(baseUrl).host;
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return rawRequest(baseUrl, `${lines.join('\r\n')}\r\n\r\n`);
}

/** How many file descriptors a process holds (Linux). */
export async function openFds(pid: number): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(`/proc/${pid}/fd`)).length;
}
