/**
 * `POST /api/v1/shells`, the launcher's poll for shell sessions, served in front of Express (hosts
 * poll often; see the design's note on host-facing handlers). Body `{"node_key"}`; answer
 * `{"sessions": [{"session_id","secret"}], "error": "", "node_invalid": false}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/observability/logger';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import type { ShellBroker, ShellSecretHandout } from './shell-broker';

const MAX_BODY_BYTES = 16 * 1024;

interface PollAnswer {
  sessions: ShellSecretHandout[];
  error: string;
  node_invalid: boolean;
}

function answer(res: ServerResponse, status: number, body: PollAnswer): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export function launcherPollHandler(deps: { broker: ShellBroker; hosts: ShellHosts; logger: Logger }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/api/v1/shells') return false;
    void (async () => {
      const body = await readBody(req);
      if (body === null) return answer(res, 413, { sessions: [], error: `the request body is larger than ${MAX_BODY_BYTES} bytes`, node_invalid: false });
      let nodeKey: unknown;
      try {
        nodeKey = (JSON.parse(body) as { node_key?: unknown })?.node_key;
      } catch {
        return answer(res, 400, { sessions: [], error: 'the request body is not valid JSON', node_invalid: false });
      }
      const host = typeof nodeKey === 'string' && nodeKey !== '' ? await deps.hosts.hostForNodeKey(nodeKey) : null;
      if (!host) return answer(res, 401, { sessions: [], error: 'invalid node key', node_invalid: true });
      const sessions = await deps.broker.poll(host);
      answer(res, 200, { sessions, error: '', node_invalid: false });
    })().catch((error: Error) => {
      deps.logger.error({ err: error }, 'shell poll failed');
      if (!res.headersSent) answer(res, 500, { sessions: [], error: 'internal error', node_invalid: false });
    });
    return true;
  };
}
