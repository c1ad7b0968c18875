/**
 * The launcher simulator's JSON POSTs, over http or https: node's clients rather than fetch, so a
 * CA file (or no verification) applies per request, as it does to its shell WebSockets.
 */
import http from 'node:http';
import https from 'node:https';

/** How an https/wss server is verified: by these PEM CAs (null: the system's), or not at all. */
export interface LauncherTrust {
  ca: string | null;
  insecure: boolean;
}

export function tlsOptionsOf(trust: LauncherTrust | undefined): { ca?: string; rejectUnauthorized?: boolean } {
  if (!trust) return {};
  return { ...(trust.ca === null ? {} : { ca: trust.ca }), rejectUnauthorized: !trust.insecure };
}

/** POSTs `body` as JSON; resolves with the status and the parsed answer ({} when it is not JSON). */
export function postJson(url: string, body: unknown, trust: LauncherTrust | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  const secure = url.startsWith('https:');
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, ...(secure ? tlsOptionsOf(trust) : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          // not JSON: an empty answer
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}
