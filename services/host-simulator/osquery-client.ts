/**
 * The HTTP side of osquery's TLS remote API: JSON POSTs over a bounded pool of keep-alive sockets
 * shared by every simulated host (http:// or https://).
 */
import http from 'node:http';
import https from 'node:https';

export const OSQUERY_ENDPOINTS = {
  enroll: '/api/v1/osquery/enroll',
  config: '/api/v1/osquery/config',
  distributedRead: '/api/v1/osquery/distributed/read',
  distributedWrite: '/api/v1/osquery/distributed/write',
  log: '/api/v1/osquery/log',
} as const;

export interface OsqueryResponse {
  status: number;
  body: any;
}

export interface OsqueryClientOptions {
  maxSockets: number;
  timeoutMs: number;
  /** Accept any TLS certificate (self-signed test servers). */
  insecure: boolean;
  /** PEM CAs to verify the server by (null: the system's). */
  ca: string | null;
}

export class OsqueryHttpClient {
  private readonly agent: http.Agent;
  private readonly requestFn: typeof http.request;
  private readonly base: URL;
  private readonly pathPrefix: string;
  inFlight = 0;

  constructor(baseUrl: string, private readonly options: OsqueryClientOptions) {
    this.base = new URL(baseUrl);
    const secure = this.base.protocol === 'https:';
    this.pathPrefix = this.base.pathname.replace(/\/+$/, '');
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, scheduling: 'lifo' as const };
    this.agent = secure ? new https.Agent({ ...agentOptions, rejectUnauthorized: !options.insecure, ...(options.ca === null ? {} : { ca: options.ca }) }) : new http.Agent(agentOptions);
    this.requestFn = secure ? https.request : http.request;
  }

  /**
   * POSTs `body` as JSON; `onSend` runs once the request has a socket, just before the body goes
   * out (for latency hooks: a request waiting for a free socket of the shared pool is not sent yet,
   * and a real host has a connection of its own).
   * A request that fails on a reused keep-alive socket the server had just closed is sent once more.
   */
  async post(path: string, body: unknown, onSend?: () => void): Promise<OsqueryResponse> {
    const payload = Buffer.from(JSON.stringify(body));
    this.inFlight++;
    try {
      try {
        return await this.send(path, payload, onSend);
      } catch (error) {
        if ((error as { reusedSocket?: boolean }).reusedSocket && isConnectionReset(error)) return await this.send(path, payload, onSend);
        throw error;
      }
    } finally {
      this.inFlight--;
    }
  }

  private send(path: string, payload: Buffer, onSend?: () => void): Promise<OsqueryResponse> {
    return new Promise((resolve, reject) => {
      const request = this.requestFn(
        {
          agent: this.agent,
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method: 'POST',
          path: this.pathPrefix + path,
          headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json', 'user-agent': 'osquery/5.12.1' },
          timeout: this.options.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              parsed = { error: `unparsable response: ${text.slice(0, 200)}` };
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`request to ${path} timed out after ${this.options.timeoutMs} ms`)));
      request.on('error', (error: Error & { reusedSocket?: boolean }) => {
        error.reusedSocket = request.reusedSocket;
        reject(error);
      });
      if (onSend) request.once('socket', onSend);
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function isConnectionReset(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
