/**
 * Sends a request exactly as the seed-era fleetctl does (test/fixtures/fleetctl-seed-requests.ts):
 * its headers, its body bytes with their Content-Length, no body at all on a GET or DELETE, over node:http
 * so nothing is re-encoded on the way. Answers the status and the body decoded as Go's JSON
 * decoder would need it (fleetctl decodes every answer, so a body that is not JSON is an error).
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FLEETCTL_HEADERS, type ReplayedRequest } from '../fixtures/fleetctl-seed-requests';

export interface ReplayedAnswer {
  status: number;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: any;
}

/** Over HTTPS when `baseUrl` is https:// (verified against `ca` when given, as fleetctl's --tls-ca). */
export function replay(baseUrl: string, sent: ReplayedRequest, token?: string, ca?: string): Promise<ReplayedAnswer> {
  const url = new URL(sent.path + (sent.query ? `?${sent.query}` : ''), baseUrl);
  const body = sent.body === undefined ? undefined : Buffer.from(sent.body, 'utf8');
  const headers: Record<string, string> = { ...FLEETCTL_HEADERS };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : request;
    const req = send(url, { method: sent.method, headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Fails with what fleetctl would have printed for a non-200 answer (`… received status N …`). */
export function expect200(answer: ReplayedAnswer, sent: ReplayedRequest): any {
  if (answer.status !== 200) throw new Error(`${sent.why}: ${sent.method} ${sent.path} received status ${answer.status} ${answer.text}`);
  if (answer.json === undefined || answer.json === null || typeof answer.json !== 'object') throw new Error(`${sent.why}: the answer is not a JSON object fleetctl can decode: ${answer.text}`);
  return answer.json;
}
