/**
 * A projector no event can stop, black box. Logbook's log holds an event that no projection can
 * store: a team spec nested 3,000 deep, as versions before the body bounds accepted (its read model
 * document overflows the read store's serializer). Appended straight to the embedded event store
 * of a stopped Logbook, it is quarantined: the projector goes on, /healthz says degraded with the
 * reason, the metric counts it; a restart keeps the record and does not try the event again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { newDataDir, startLogbook, type LogbookProcess } from '../support/logbook-process';

/** The stream and event type the spec API writes for team "deep-legacy" (a stored format). */
const POISON_STREAM = 'team-deep-legacy';
const POISON_TYPE = 'TeamSpecApplied';
const QUARANTINE_LOG = 'projector quarantined an event it cannot apply';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
}

async function appendPoison(dataDir: string): Promise<number> {
  const store = await openLmdbEventStore(join(dataDir, 'events'));
  try {
    const spec = { name: 'deep-legacy', agent_options: nested(3_000), secrets: [] };
    const { position } = await store.append([
      {
        streamId: POISON_STREAM,
        expected: 'no_stream',
        events: [
          {
            type: POISON_TYPE,
            data: { kind: 'team', id: 900, version: 1, spec, changes: [{ field: 'agent_options', to: spec.agent_options }], builtin: false },
            metadata: { actor: { type: 'user', id: '1', email: ADMIN.email }, occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
          },
        ],
      },
    ]);
    return position;
  } finally {
    await store.close();
  }
}

async function health(logbook: LogbookProcess): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${logbook.url}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

async function quarantineGauge(logbook: LogbookProcess): Promise<number | null> {
  const text = await (await fetch(`${logbook.url}/metrics`)).text();
  const match = /^projector_quarantined_events\{[^}]*\} (\d+)$/m.exec(text);
  return match ? Number(match[1]) : null;
}

async function login(logbook: LogbookProcess): Promise<FleetClient> {
  const res = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
  assert.equal(res.status, 200);
  return new FleetClient(logbook.url, res.body.token);
}

async function applyAndReadQuery(client: FleetClient, name: string): Promise<void> {
  assert.equal((await client.post('/api/v1/fleet/spec/queries', { specs: [{ name, query: 'SELECT 1' }] })).status, 200);
  assert.equal((await client.get(`/api/v1/fleet/spec/queries/${name}`)).status, 200);
}

const quarantineLines = (logbook: LogbookProcess) => logbook.output.filter((line) => line.includes(QUARANTINE_LOG));

describe('projector quarantine (black box)', function () {
  this.timeout(90_000);
  const dataDir = newDataDir();
  let poisonPosition: number;
  let degradedReason: string;

  before(async () => {
    const first = await startLogbook({ dataDir });
    const admin = await setUpAdmin(first.url);
    await applyAndReadQuery(admin, 'before-poison');
    await first.stop();
    poisonPosition = await appendPoison(dataDir);
  });

  it('sets the event aside and goes on: later applies and logins work, /healthz is degraded, the metric counts 1', async () => {
    const logbook = await startLogbook({ dataDir });
    try {
      const admin = await login(logbook);
      assert.equal((await admin.get('/api/v1/fleet/me')).status, 200);
      await applyAndReadQuery(admin, 'after-poison');
      assert.equal((await admin.get('/api/v1/fleet/spec/queries/before-poison')).status, 200);
      assert.equal((await admin.get('/api/v1/fleet/spec/teams/deep-legacy')).status, 404);

      const { status, body } = await health(logbook);
      assert.equal(status, 200);
      assert.equal(body.status, 'degraded');
      assert.match(body.reason!, /^projector quarantined 1 event it could not apply/);
      assert.ok(body.reason!.includes(`position ${poisonPosition}, ${POISON_TYPE} on stream ${POISON_STREAM}: RangeError`), body.reason);
      degradedReason = body.reason!;
      assert.equal(await quarantineGauge(logbook), 1);
      assert.equal(quarantineLines(logbook).length, 1);
    } finally {
      await logbook.stop();
    }
  });

  it('converges on a restart: the record stays, the event is not tried again, reads and applies work', async () => {
    assert.ok(degradedReason, 'the previous test recorded the quarantine');
    const logbook = await startLogbook({ dataDir });
    try {
      const admin = await login(logbook);
      assert.equal((await admin.get('/api/v1/fleet/spec/queries/after-poison')).status, 200);
      await applyAndReadQuery(admin, 'after-restart');
      assert.deepEqual((await health(logbook)).body, { status: 'degraded', reason: degradedReason });
      assert.equal(await quarantineGauge(logbook), 1);
      assert.deepEqual(quarantineLines(logbook), []);
    } finally {
      await logbook.stop();
    }
  });
});
