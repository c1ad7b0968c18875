/**
 * HTTPS requests for tests with a given trust: node:https with `ca` (PEM text) or `insecure`
 * (no verification); fetch cannot take a CA per request. JSON in, status and JSON (or text) out.
 */
import https from 'node:https';

export interface TlsTrust {
  ca?: string;
  insecure?: boolean;
  token?: string;
  /** The TLS server name to ask for and verify (default: the URL's host). */
  servername?: string;
}

export interface TlsResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export function httpsRequest<T = any>(method: string, url: string, trust: TlsTrust, body?: unknown): Promise<TlsResponse<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        ca: trust.ca,
        rejectUnauthorized: !trust.insecure,
        servername: trust.servername,
        agent: false,
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(trust.token ? { authorization: `Bearer ${trust.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            // leave as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
