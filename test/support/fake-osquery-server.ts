/**
 * A small stand-in for an osquery TLS server (plain HTTP on loopback) that records what hosts send:
 * enroll with a secret, config, distributed read/write and log. Tests queue distributed work per
 * host and can invalidate node keys to make hosts re-enroll.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  body: any;
  /** The host_identifier the node key belongs to (or the one sent to enroll). */
  hostIdentifier: string | null;
  receivedAt: number;
}

export interface DistributedWork {
  queries?: Record<string, string>;
  discovery?: Record<string, string>;
  accelerate?: number;
}

export interface FakeOsqueryServerOptions {
  enrollSecret: string;
  /** The config every host receives (default: an empty schedule). */
  config?: Record<string, unknown>;
  /** Record request bodies (default true); off, only counts are kept (for benchmarks). */
  record?: boolean;
}

export class FakeOsqueryServer {
  readonly requests: RecordedRequest[] = [];
  readonly counts = new Map<string, number>();
  config: Record<string, unknown>;
  private readonly hostsByNodeKey = new Map<string, string>();
  private readonly pending = new Map<string, DistributedWork[]>();
  private readonly broadcasts: Array<{ work: DistributedWork; delivered: Set<string> }> = [];
  private server!: http.Server;
  url = '';

  private constructor(private readonly options: FakeOsqueryServerOptions) {
    this.config = options.config ?? { options: {}, packs: {} };
  }

  static async start(options: FakeOsqueryServerOptions): Promise<FakeOsqueryServer> {
    const fake = new FakeOsqueryServer(options);
    fake.server = http.createServer((req, res) => fake.handle(req, res));
    fake.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Work the host gets on its next distributed/read (once). */
  queueDistributed(hostIdentifier: string, work: DistributedWork): void {
    const queue = this.pending.get(hostIdentifier) ?? [];
    queue.push(work);
    this.pending.set(hostIdentifier, queue);
  }

  /** Work every host gets once, on its next distributed/read. */
  queueForEveryHost(work: DistributedWork): void {
    this.broadcasts.push({ work, delivered: new Set() });
  }

  /** Forgets every node key of this host: its next request is answered node_invalid. */
  invalidateHost(hostIdentifier: string): void {
    for (const [nodeKey, host] of this.hostsByNodeKey) if (host === hostIdentifier) this.hostsByNodeKey.delete(nodeKey);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.reply(res, 400, { error: 'invalid JSON' });
      }
      const hostIdentifier = path === '/api/v1/osquery/enroll' ? body?.host_identifier ?? null : this.hostsByNodeKey.get(body?.node_key) ?? null;
      if (this.options.record !== false) this.requests.push({ path, body, hostIdentifier, receivedAt: Date.now() });
      if (path === '/api/v1/osquery/enroll') {
        if (body?.enroll_secret !== this.options.enrollSecret) return this.reply(res, 401, { error: 'enroll failed: invalid secret', node_invalid: true });
        const nodeKey = randomBytes(12).toString('base64url');
        this.hostsByNodeKey.set(nodeKey, String(body.host_identifier));
        return this.reply(res, 200, { node_key: nodeKey });
      }
      if (hostIdentifier === null) return this.reply(res, 401, { error: 'invalid node key', node_invalid: true });
      switch (path) {
        case '/api/v1/osquery/config':
          return this.reply(res, 200, this.config);
        case '/api/v1/osquery/distributed/read': {
          const queue = this.pending.get(hostIdentifier);
          let work = queue?.shift();
          if (!work) {
            const broadcast = this.broadcasts.find((candidate) => !candidate.delivered.has(hostIdentifier));
            broadcast?.delivered.add(hostIdentifier);
            work = broadcast?.work;
          }
          return this.reply(res, 200, work ?? { queries: {} });
        }
        case '/api/v1/osquery/distributed/write':
        case '/api/v1/osquery/log':
          return this.reply(res, 200, {});
        default:
          return this.reply(res, 404, { error: 'not found' });
      }
    });
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }
}

/**
 * Polls `condition` every 20 ms until it holds. The deadline only turns a hang into a clear
 * message; nothing asserts how long the wait took.
 */
export async function waitFor<T>(condition: () => T | undefined | null | false, description: string, deadlineMs = 30_000): Promise<T> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
