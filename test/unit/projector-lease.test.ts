/** Two projectors at once: one holds the lease and projects, the other stands by until it expires. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import type { ReadStore } from '../../shared/ports/read-store';
import { ProjectorLease, TTL_MS } from '../../services/projector/projector-lease';

describe('projector lease', function () {
  let directory: string;
  let store: ReadStore;
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const clock = () => now;

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), 'logbook-projector-lease-'));
    store = await openLmdbReadStore(directory);
  });

  afterEach(async function () {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('lets one instance hold it, and the standby take it once the holder stops renewing', async function () {
    const a = new ProjectorLease(store, { id: 'a', now: clock });
    const b = new ProjectorLease(store, { id: 'b', now: clock });
    assert.equal(await a.renew(), true, 'the first one takes it');
    assert.equal(await b.renew(), false, 'the other stands by');
    now += TTL_MS / 2;
    assert.equal(await a.renew(), true, 'the holder renews');
    assert.equal(await b.renew(), false);
    now += TTL_MS + 1; // a stopped renewing (crashed, paused)
    assert.equal(await b.renew(), true, 'the standby takes the expired lease');
    assert.equal(await a.renew(), false, 'the old holder, back, sees it taken and gives up');
  });

  it('leaves exactly one holder when both take an expired lease at the same moment', async function () {
    const leases = ['a', 'b', 'c'].map((id) => new ProjectorLease(store, { id, now: clock }));
    await Promise.all(leases.map((lease) => lease.renew()));
    // Whoever believed it held it, one renewal round later exactly one does.
    const held = [];
    for (const lease of leases) held.push(await lease.renew());
    assert.equal(held.filter(Boolean).length, 1, JSON.stringify(held));
  });
});
