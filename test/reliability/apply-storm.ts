/**
 * kill -9 apply storms: several clients apply query specs concurrently while Logbook is killed
 * and restarted on the same data; then what was acknowledged is checked. Shared by the test and
 * the soak bench.
 *
 * Invariants checked by `verifyStorms`:
 * - every apply answered 200 is readable: the spec (distinct names) or one version of the
 *   contended spec carries its description, with its history entry and its activity;
 * - the contended spec's versions are exactly 1..V with V distinct writers (no version lost or
 *   doubled), V ≥ the acknowledged applies of it (requests cut off by the kill may add some).
 */
import assert from 'node:assert/strict';
import { FleetClient } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

export const CONTENDED = 'storm-contended';

export interface Acknowledged {
  /** Distinct specs answered 200: name → description. */
  distinct: Map<string, string>;
  /** Descriptions of the contended spec's applies answered 200. */
  contended: Set<string>;
  /** Applies cut off by the kill (connection refused or reset, or no answer). */
  unanswered: number;
  /** Other statuses: must stay empty. */
  refused: string[];
}

export const newAcknowledged = (): Acknowledged => ({ distinct: new Map(), contended: new Set(), unanswered: 0, refused: [] });

async function apply(client: FleetClient, name: string, description: string): Promise<number | 'unanswered'> {
  try {
    return (await client.post('/api/v1/fleet/spec/queries', { specs: [{ name, description, query: 'SELECT 1' }] })).status;
  } catch {
    return 'unanswered';
  }
}

/**
 * One storm: `tokens.length × perClient` applies, half on distinct names and half on the
 * contended spec, `concurrency` per client; Logbook is killed once `killAfter` have been
 * acknowledged, then started again on the same data (the new process is returned).
 */
export async function storm(logbook: LogbookProcess, tokens: string[], options: { round: number; perClient: number; concurrency: number; killAfter: number }, ack: Acknowledged, env: Record<string, string> = {}): Promise<LogbookProcess> {
  let acknowledged = 0;
  let killing: Promise<void> | undefined;
  const worker = async (token: string, clientIndex: number, lane: number) => {
    const client = new FleetClient(logbook.url, token);
    for (let i = lane; i < options.perClient && killing === undefined; i += options.concurrency) {
      const id = `r${options.round}-c${clientIndex}-${i}`;
      const contended = i % 2 === 0;
      const name = contended ? CONTENDED : `storm-${id}`;
      const status = await apply(client, name, id);
      if (status === 200) {
        if (contended) ack.contended.add(id);
        else ack.distinct.set(name, id);
        if (++acknowledged >= options.killAfter) killing ??= logbook.kill();
      } else if (status === 'unanswered' || killing !== undefined) ack.unanswered++;
      else ack.refused.push(`${id}: ${status}`);
    }
  };
  await Promise.all(tokens.flatMap((token, c) => Array.from({ length: options.concurrency }, (_, lane) => worker(token, c, lane))));
  // Every request has ended (answered or cut off): kill if the storm ended first, then restart.
  await (killing ?? logbook.kill());
  return startLogbook({ dataDir: logbook.dataDir, env });
}

async function allActivities(client: FleetClient): Promise<Array<{ type: string; details: { queries?: Array<{ name: string }> } }>> {
  const all = [];
  for (let page = 0; ; page++) {
    const res = await client.get(`/api/v1/fleet/activities?per_page=1000&page=${page}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    all.push(...res.body.activities);
    if (!res.body.meta.has_next_results) return all;
  }
}

export async function verifyStorms(client: FleetClient, ack: Acknowledged): Promise<{ lost: string[]; versions: number }> {
  assert.deepEqual(ack.refused, [], 'applies refused with a status other than 200');
  const lost: string[] = [];
  const appliedQueries = new Map<string, number>();
  for (const activity of await allActivities(client)) {
    if (activity.type !== 'applied_spec_query') continue;
    for (const { name } of activity.details.queries ?? []) appliedQueries.set(name, (appliedQueries.get(name) ?? 0) + 1);
  }
  for (const [name, description] of ack.distinct) {
    const spec = await client.get(`/api/v1/fleet/spec/queries/${encodeURIComponent(name)}`);
    const history = await client.get(`/api/v1/fleet/spec/queries/${encodeURIComponent(name)}/history`);
    const ok = spec.status === 200 && spec.body.specs.description === description && history.status === 200 && history.body.history.length === 1 && history.body.history[0].version === 1 && history.body.history[0].spec.description === description && appliedQueries.get(name) === 1;
    if (!ok) lost.push(`${name} (${spec.status}, history ${history.status} ${history.body?.history?.length}, activities ${appliedQueries.get(name) ?? 0})`);
  }
  const history = (await client.get(`/api/v1/fleet/spec/queries/${CONTENDED}/history`)).body.history as Array<{ version: number; spec: { description: string } }>;
  const versions = history.map((entry) => entry.version);
  assert.deepEqual(versions, Array.from({ length: versions.length }, (_, i) => i + 1), 'the contended spec has versions 1..V, none missing or doubled');
  const writers = new Set(history.map((entry) => entry.spec.description));
  assert.equal(writers.size, history.length, 'every version of the contended spec is one writer');
  for (const description of ack.contended) if (!writers.has(description)) lost.push(`${CONTENDED} by ${description}`);
  assert.equal(appliedQueries.get(CONTENDED), history.length, 'one activity per version of the contended spec');
  return { lost, versions: history.length };
}

/** N concurrent applies of one fresh spec: exactly N versions, one per writer. */
export async function concurrentApplies(clients: FleetClient[], name: string, count: number): Promise<number[]> {
  const statuses = await Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length].post('/api/v1/fleet/spec/queries', { specs: [{ name, description: `writer ${i}`, query: 'SELECT 1' }] }).then((res) => res.status)));
  assert.deepEqual(statuses.filter((status) => status !== 200), [], 'every concurrent apply answered 200');
  const history = (await clients[0].get(`/api/v1/fleet/spec/queries/${encodeURIComponent(name)}/history`)).body.history as Array<{ version: number; spec: { description: string } }>;
  assert.deepEqual(history.map((entry) => entry.version), Array.from({ length: count }, (_, i) => i + 1), `${count} concurrent applies give versions 1..${count}`);
  assert.equal(new Set(history.map((entry) => entry.spec.description)).size, count, 'one version per writer');
  return statuses;
}
