/**
 * STAND-IN until the agent API's enrollment and hosts read model land (the lead's branch):
 * `POST /api/v1/osquery/enroll` with `{"enroll_secret","host_identifier","host_details","platform_type"}`
 * → `{"node_key"}`, checked against the global enroll secrets, hosts kept in memory
 * (InMemoryShellHosts). Delete this file and its two lines in main.ts when merging the real one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InMemoryShellHosts } from '../../shared/adapters/shell-hosts/in-memory-shell-hosts';
import { GLOBAL_ENROLL_SECRETS_KEY, SETTINGS, type EnrollSecretsDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

const MAX_BODY_BYTES = 64 * 1024;

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, any> | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, any>) : null;
  } catch {
    return null;
  }
}

export function standInEnrollmentHandler(hosts: InMemoryShellHosts, readModels: ReadModels) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/api/v1/osquery/enroll') return false;
    void (async () => {
      const body = await readJson(req);
      const identifier = body?.host_identifier;
      if (!body || typeof body.enroll_secret !== 'string' || typeof identifier !== 'string' || identifier === '') {
        return reply(res, 400, { error: 'enroll_secret and host_identifier are required', node_invalid: true });
      }
      const secrets = await readModels.collection<EnrollSecretsDoc>(SETTINGS).get(GLOBAL_ENROLL_SECRETS_KEY);
      if (!secrets?.secrets.some((entry) => entry.secret === body.enroll_secret)) {
        return reply(res, 401, { error: 'invalid enroll secret', node_invalid: true });
      }
      const hostname = body.host_details?.system_info?.hostname;
      const { nodeKey } = hosts.enroll(identifier, typeof hostname === 'string' && hostname !== '' ? hostname : identifier);
      reply(res, 200, { node_key: nodeKey });
    })().catch(() => reply(res, 500, { error: 'internal error' }));
    return true;
  };
}
