/**
 * Several agent API instances on the same hosts: presence merges (the latest sighting wins,
 * whatever order the instances flush in), and a campaign a host answered (recorded by the
 * gateway, from any instance) is not handed to it again by another instance or after a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';
import { CAMPAIGN_CREATED, type CampaignCreated } from '../../shared/domain/campaigns/campaign-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import type { ReadStore } from '../../shared/ports/read-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { HOST_PRESENCE, type HostPresenceDoc } from '../../shared/read-models/read-model-types';
import { AnsweredSync } from '../../services/agent-api/answered-sync';
import type { AgentView, HostRecord } from '../../services/agent-api/agent-view';
import { LiveCampaigns } from '../../services/agent-api/live-campaigns';
import { PresenceTracker, SEEN_STEP_MS } from '../../services/agent-api/presence';

/** What the tracker and the campaigns read of a host record. */
function hostSeen(id: number, seenAt: number, detailsAt = 0): HostRecord {
  return { state: { id, facts: {} }, seenAt, detailsAt, labelsAt: 0, policiesAt: 0 } as unknown as HostRecord;
}

describe('agent API instances', function () {
  let directory: string;
  let store: ReadStore;

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), 'logbook-agent-instances-'));
    store = await openLmdbReadStore(directory);
  });

  afterEach(async function () {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the latest seen time when an instance that saw the host earlier flushes last', async function () {
    const failures: Error[] = [];
    const a = new PresenceTracker(store, (error) => failures.push(error), () => 10);
    const b = new PresenceTracker(store, (error) => failures.push(error), () => 10);
    const later = Date.parse('2026-12-01T10:00:20.000Z');
    const earlier = Date.parse('2026-12-01T10:00:10.000Z');
    b.touch(hostSeen(7, later, 1_000));
    await b.flush();
    a.touch(hostSeen(7, earlier, 5_000)); // instance A saw the host before B did, but flushes after
    await a.flush();
    const stored = await store.collection<HostPresenceDoc>(HOST_PRESENCE).get('7');
    assert.equal(stored?.seen_time, new Date(later).toISOString());
    assert.equal(stored?.details_at, 5_000, 'each time is the latest known, field by field');
    // Both at once, in either order: still the latest.
    a.touch(hostSeen(7, later + 5_000));
    b.touch(hostSeen(7, later + 1_000));
    await Promise.all([b.flush(), a.flush()]);
    assert.equal((await store.collection<HostPresenceDoc>(HOST_PRESENCE).get('7'))?.seen_time, new Date(later + 5_000).toISOString());
    assert.deepEqual(failures, []);
  });

  it('restores the presence stored for every host (one- to three-digit ids, page by page), keeping the later of stored and known times', async function () {
    const writer = new PresenceTracker(store, (error) => assert.fail(error), () => 10);
    for (let id = 1; id <= 250; id++) writer.touch(hostSeen(id, Date.UTC(2026, 11, 1) + id * 1000, id));
    await writer.flush(true);
    const hosts = Array.from({ length: 251 }, (_, id) => hostSeen(id, id === 77 ? Date.UTC(2030, 0, 1) : 0));
    const view = { hostById: (id: number) => hosts[id] } as unknown as AgentView;
    await new PresenceTracker(store, (error) => assert.fail(error), () => 10).restore(view);
    for (let id = 1; id <= 250; id++) {
      assert.equal(hosts[id].seenAt, id === 77 ? Date.UTC(2030, 0, 1) : Date.UTC(2026, 11, 1) + id * 1000, `host ${id}`);
      assert.equal(hosts[id].detailsAt, id, `host ${id}`);
    }
  });

  it('rewrites a host seen again once its seen time moved SEEN_STEP_MS, at once when it answered, and every queued host at stop', async function () {
    const tracker = new PresenceTracker(store, (error) => assert.fail(error), () => 10);
    const presence = store.collection<HostPresenceDoc>(HOST_PRESENCE);
    const seen = async () => Date.parse((await presence.get('9'))!.seen_time);
    const host = hostSeen(9, Date.parse('2026-12-01T10:00:00.000Z'));
    const first = host.seenAt;
    tracker.touch(host);
    await tracker.flush();
    assert.equal(await seen(), first, 'a host not written since the start is written at once');
    host.seenAt = first + SEEN_STEP_MS - 1;
    tracker.touch(host);
    await tracker.flush();
    assert.equal(await seen(), first, 'seen again within the step: still queued');
    host.seenAt = first + SEEN_STEP_MS;
    await tracker.flush();
    assert.equal(await seen(), first + SEEN_STEP_MS, 'its latest seen time once the step has passed');
    host.seenAt += 1_000;
    host.detailsAt = host.seenAt;
    tracker.answered(host);
    await tracker.flush();
    assert.equal((await presence.get('9'))!.details_at, host.seenAt, 'answer times are written at the next flush');
    host.seenAt += 1_000;
    tracker.touch(host);
    await tracker.stop();
    assert.equal(await seen(), host.seenAt, 'stop writes what is queued');
  });

  it('does not hand a campaign again to a host whose answer another instance recorded', async function () {
    const bus = { produce: async () => {} } as unknown as ResultsBus;
    const created: CampaignCreated = {
      id: 3,
      query: 'SELECT 1',
      query_id: null,
      user_id: 1,
      target_host_ids: [1, 2],
      totals: { count: 2, online: 2, offline: 0, missing_in_action: 0 },
      expires_at: new Date(Date.now() + 600_000).toISOString(),
    };
    const event = { type: CAMPAIGN_CREATED, data: created, position: 1 } as RecordedEvent;
    const recorded: RecordedResult[] = [{ campaign_id: 3, seq: 1, host: { id: 1, hostname: 'h1', display_name: 'h1' }, rows_utf8: Buffer.from('[]'), error: null, answered_at: new Date().toISOString() }];
    const results = { recordedCount: async () => recorded.length, resultsAfter: async (_campaign: number, after: number) => recorded.filter((result) => result.seq > after) };

    // A restarted instance: it learns the campaign from the log, then the answered set before serving.
    const restarted = new LiveCampaigns(bus);
    restarted.apply(event);
    const sync = new AnsweredSync(restarted, results, (error) => assert.fail(error));
    await sync.syncOnce();
    assert.deepEqual([...restarted.pendingFor(hostSeen(1, 0), Date.now()).keys()], [], 'host 1 answered: not asked again');
    assert.deepEqual([...restarted.pendingFor(hostSeen(2, 0), Date.now()).keys()], [3], 'host 2 has not answered');

    // A running instance that had handed it out to host 2 too: host 2's answer arrives elsewhere.
    recorded.push({ ...recorded[0], seq: 2, host: { id: 2, hostname: 'h2', display_name: 'h2' } });
    await sync.syncOnce();
    assert.deepEqual([...restarted.pendingFor(hostSeen(2, 0), Date.now() + 120_000).keys()], [], 'not handed out again, even after the minute');
    await sync.stop();
  });
});
