/**
 * A full disk under DATA_DIR, for real: Logbook runs on a small tmpfs that a filler file fills
 * up. A write the disk refuses is answered 503 in the route's error shape, the process stays up
 * and serves reads, /healthz says why, writes resume by themselves once space is freed, and
 * nothing that was answered 200 is lost (each acknowledged apply is in its query's history, in
 * order, and no refused one is). A restart on the still-full disk serves reads.
 */
import assert from 'node:assert/strict';
import * as reference from '../fixtures/reference-specs';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { FleetClient, setUpAdmin, type ApiResponse } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk';

const DISK_MIB = 24;
const NAMES = 6;
const MAX_APPLIES = 400;
const MAX_ENROLLS = 2_000;
const ENV = { READ_YOUR_WRITES_TIMEOUT_MS: '300' };
const ENOSPC_REASON = /^storage: no space left on device \(ENOSPC\) in DATA_DIR \S+/;
const PADDING = 'x'.repeat(4000);

describe('a full disk (black box, tmpfs)', function () {
  this.timeout(180_000);
  let disk: SmallDisk | null = null;
  let logbook: LogbookProcess | null = null;
  let admin: FleetClient;
  /** Query name → the descriptions of its applies answered 200, in order. */
  const acknowledged = new Map<string, string[]>();
  const refused = new Set<string>();
  let applies = 0;

  before(async function () {
    disk = mountSmallDisk(DISK_MIB);
    if (!disk) this.skip(); // mounting needs root, as in CI
    logbook = await startLogbook({ dataDir: `${disk.dir}/data`, env: ENV });
    admin = await setUpAdmin(logbook.url);
    assert.equal((await admin.post('/api/v1/fleet/spec/enroll_secret', reference.applyEnrollSecret)).status, 200);
  });

  after(async () => {
    await logbook?.kill();
    disk?.unmount();
  });

  /** Applies the next version of one of the NAMES queries, noting whether it was acknowledged. */
  async function applyNext(): Promise<ApiResponse> {
    const name = `q${applies % NAMES}`;
    const description = `apply ${applies++} ${PADDING}`;
    const res = await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name, description, query: 'SELECT 1' }] });
    if (res.status === 200) acknowledged.set(name, [...(acknowledged.get(name) ?? []), description]);
    else refused.add(description);
    return res;
  }

  /** Applies until one is refused (the disk is full); returns the refusal. */
  async function applyUntilRefused(): Promise<ApiResponse> {
    for (let i = 0; i < MAX_APPLIES; i++) {
      const res = await applyNext();
      if (res.status !== 200) return res;
    }
    throw new Error(`${MAX_APPLIES} applies on a full disk and none refused`);
  }

  function assertRefusedForSpace(res: ApiResponse): void {
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.message, 'Service Unavailable');
    assert.equal(res.body.errors.length, 1);
    assert.equal(res.body.errors[0].name, 'base');
    assert.match(res.body.errors[0].reason, ENOSPC_REASON);
  }

  async function health(): Promise<{ status: number; body: { status: string; reason?: string } }> {
    const res = await fetch(`${logbook!.url}/healthz`);
    return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
  }

  /** Every acknowledged apply is its query's history, in order (so no refused one is there). */
  async function assertNothingAcknowledgedLost(): Promise<void> {
    assert.ok(acknowledged.size > 0, 'some applies were acknowledged');
    for (const [name, descriptions] of acknowledged) {
      const history = await admin.get(`/api/v1/fleet/spec/queries/${name}/history`);
      assert.equal(history.status, 200, name);
      const stored = history.body.history.map((entry: { spec: { description: string } }) => entry.spec.description);
      assert.deepEqual(stored, descriptions, `history of ${name}`);
      assert.ok(stored.every((description: string) => !refused.has(description)));
      const current = await admin.get(`/api/v1/fleet/spec/queries/${name}`);
      assert.equal(current.body.specs.description, descriptions[descriptions.length - 1]);
    }
  }

  /** Writes resume by themselves: an apply succeeds again (retried while the models catch up). */
  async function applyAfterSpaceReturns(): Promise<void> {
    await eventually(async () => {
      const res = await applyNext();
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  }

  it('refuses writes with 503 while full, serves reads, says why, and resumes once space is freed', async () => {
    for (let i = 0; i < NAMES; i++) assert.equal((await applyNext()).status, 200, 'before the disk is full');
    disk!.fill();
    // The osquery agent API answers in its own shape. Small writes may still fit in LMDB's free
    // pages for a while: enroll hosts until the disk refuses one.
    const refusal = await (async () => {
      for (let i = 0; i < MAX_ENROLLS; i++) {
        const res = await new FakeOsqueryHost(logbook!.url, `full-disk-host-${i}`, 'ubuntu').enroll(reference.applyEnrollSecret.spec.secrets[0].secret);
        if (res.status !== 200) return res;
      }
      throw new Error(`${MAX_ENROLLS} enrolls on a full disk and none refused`);
    })();
    assert.equal(refusal.status, 503, JSON.stringify(refusal.body));
    assert.match(refusal.body.error, ENOSPC_REASON);
    assert.equal(refusal.body.node_invalid, false);
    assertRefusedForSpace(await applyUntilRefused());
    assert.equal(logbook!.child.exitCode, null, 'the process is still running');

    const list = await admin.get('/api/v1/fleet/spec/queries');
    assert.equal(list.status, 200);
    assert.equal((await admin.get('/api/v1/fleet/users')).status, 200);
    const full = await health();
    assert.equal(full.status, 503);
    assert.match(full.body.reason ?? '', ENOSPC_REASON);

    disk!.free();
    await applyAfterSpaceReturns();
    await eventually(async () => assert.deepEqual(await health(), { status: 200, body: { status: 'ok' } }));
    await eventually(assertNothingAcknowledgedLost);
  });

  // Runs on the first test's Logbook and data.
  it('starts again on the still-full disk, serves reads, and writes once space is freed', async () => {
    disk!.fill();
    assertRefusedForSpace(await applyUntilRefused());
    await logbook!.stop();
    logbook = await startLogbook({ dataDir: logbook!.dataDir, env: ENV, waitUntil: 'listening' });
    admin = new FleetClient(logbook.url, admin.token);

    assert.equal((await admin.get('/api/v1/fleet/spec/queries')).status, 200);
    assert.equal((await admin.get('/api/v1/fleet/spec/queries/q0/history')).status, 200);
    assertRefusedForSpace(await applyUntilRefused());
    const full = await health();
    assert.equal(full.status, 503);
    assert.match(full.body.reason ?? '', ENOSPC_REASON);

    disk!.free();
    await applyAfterSpaceReturns();
    await eventually(async () => assert.deepEqual(await health(), { status: 200, body: { status: 'ok' } }));
    await eventually(assertNothingAcknowledgedLost);
  });
});
