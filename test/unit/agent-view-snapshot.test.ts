/**
 * The agent view's snapshot: a snapshot taken after any event, plus the tail of the log, gives
 * the view a full replay gives (also when hosts were ahead of the snapshot's position, as an
 * instance's own appends make them); a damaged, foreign or older-format snapshot is refused and
 * the view is built from the log's start. Events go through a real embedded event store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED } from '../../shared/domain/campaigns/campaign-events';
import { ENROLL_SECRETS_REPLACED } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { HOST_ENROLLED, HOST_FACTS_CHANGED, HOST_LABELS_CHANGED, HOST_POLICY_RESULTS_CHANGED, HOST_REENROLLED } from '../../shared/domain/hosts/host-events';
import { APP_CONFIG_MODIFIED } from '../../shared/domain/organization/organization-events';
import { SPEC_APPLIED_TYPE, SPEC_DELETED_TYPE } from '../../shared/domain/specs/spec-events';
import { START, type EventStore, type RecordedEvent } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { AgentView } from '../../services/agent-api/agent-view';
import { LiveCampaigns } from '../../services/agent-api/live-campaigns';
import { encodeHost } from '../../services/agent-api/view-snapshot-codec';
import { SNAPSHOT_FORMAT, ViewSnapshotStore } from '../../services/agent-api/view-snapshot-store';
import { restoreView } from '../../services/agent-api/view-snapshots';
import { ADMIN } from '../support/given-events';

const NOW = Date.UTC(2030, 0, 1);
const quiet = { info: () => undefined, warn: () => undefined };

type Given = { streamId: string; type: string; data: unknown };

const enrolled = (n: number, facts: object = {}): Given => ({
  streamId: `host-uuid-${n}`,
  type: HOST_ENROLLED,
  data: { id: n, host_identifier: `uuid-${n}`, node_key_hash: `key-${n}`, team_id: n % 2 === 0 ? 7 : null, facts: { hostname: `host-${n}`, uuid: `uuid-${n}`, platform: 'darwin', ...facts } },
});
const onHost = (n: number, type: string, data: unknown): Given => ({ streamId: `host-uuid-${n}`, type, data });
const applied = (kind: keyof typeof SPEC_APPLIED_TYPE, id: number, spec: object): Given => ({
  streamId: `${kind}-${(spec as { name: string }).name}`,
  type: SPEC_APPLIED_TYPE[kind],
  data: { kind, id, version: 1, spec, changes: [], builtin: false },
});

const GIVEN: Given[] = [
  { streamId: 'enroll-secrets', type: ENROLL_SECRETS_REPLACED, data: { secrets: [{ secret: 'global', created_at: '2024-01-01T00:00:00Z' }], added: 1, removed: 0 } },
  applied('team', 7, { name: 'servers', agent_options: { config: { options: { distributed_interval: 30 } } }, secrets: [{ secret: 'team-secret' }] }),
  applied('label', 11, { name: 'macs', description: '', query: 'SELECT 1', platform: 'darwin', label_membership_type: 'dynamic' }),
  applied('label', 12, { name: 'picked', description: '', query: '', platform: '', label_membership_type: 'manual', hosts: ['host-2'] }),
  enrolled(1),
  enrolled(2, { osquery_version: '5.12.1', cpu_logical_cores: 8 }),
  applied('policy', 21, { name: 'firewall', description: '', query: 'SELECT 1', resolution: '', platform: '', team: '' }),
  applied('query', 31, { name: 'uptime', description: '', query: 'SELECT * FROM uptime' }),
  onHost(1, HOST_LABELS_CHANGED, { added: [11], removed: [] }),
  onHost(2, HOST_POLICY_RESULTS_CHANGED, { results: { '21': true } }),
  applied('pack', 41, { name: 'base', description: '', disabled: false, targets: { labels: ['macs'], teams: null }, queries: [{ query: 'uptime', name: 'uptime', description: '', interval: 60, snapshot: false }] }),
  { streamId: 'organization', type: APP_CONFIG_MODIFIED, data: { patch: { agent_options: { config: { options: { distributed_interval: 20 } } } }, changed: ['agent_options'] } },
  onHost(1, HOST_FACTS_CHANGED, { facts: { primary_ip: '10.0.0.1', hostname: 'host-1b' } }),
  { streamId: 'campaign-1', type: CAMPAIGN_CREATED, data: { id: 1, query: 'SELECT 1', query_id: null, user_id: 1, target_host_ids: [1, 2], totals: {}, expires_at: new Date(NOW + 60_000).toISOString() } },
  { streamId: 'campaign-2', type: CAMPAIGN_CREATED, data: { id: 2, query: 'SELECT 2', query_id: null, user_id: 1, target_host_ids: [2], totals: {}, expires_at: new Date(NOW + 60_000).toISOString() } },
  onHost(2, HOST_REENROLLED, { node_key_hash: 'key-2b', team_id: null }),
  enrolled(3),
  { streamId: 'campaign-1', type: CAMPAIGN_ENDED, data: { id: 1, reason: 'completed' } },
  onHost(1, HOST_LABELS_CHANGED, { added: [], removed: [11] }),
  onHost(2, HOST_POLICY_RESULTS_CHANGED, { results: { '21': false } }),
  { streamId: 'label-picked', type: SPEC_DELETED_TYPE.label, data: { kind: 'label', id: 12, name: 'picked', version: 2 } },
  onHost(3, HOST_FACTS_CHANGED, { facts: { platform: 'ubuntu' } }),
  enrolled(4),
  // By label and team: host 4 (team 7) only, as the hosts are at this event (host 1 left macs, host 2 team 7).
  { streamId: 'campaign-3', type: CAMPAIGN_CREATED, data: { id: 3, query: 'SELECT 3', query_id: null, user_id: 1, target_host_ids: [], target_label_ids: [11], target_team_ids: [7], totals: { count: 1 }, expires_at: new Date(NOW + 60_000).toISOString() } },
  onHost(4, HOST_LABELS_CHANGED, { added: [11], removed: [] }),
];

/** Everything the view serves from, in a comparable form (change times are wall-clock: left out). */
function dump(view: AgentView, live: LiveCampaigns) {
  const hosts = view.allHosts();
  const specs = { ...view.exportSpecs(), labelsChangedAt: 0, policiesChangedAt: 0 };
  return {
    hosts: hosts.map(encodeHost).sort((a, b) => a[0].localeCompare(b[0])),
    byId: hosts.map((host) => host.state.id !== null && view.hostById(host.state.id) === host),
    byNodeKey: hosts.map((host) => host.state.nodeKeyHash !== null && view.hostByNodeKeyHash(host.state.nodeKeyHash) === host),
    hostCount: view.hostCount,
    specs,
    campaigns: live.exportRunning(NOW),
    handedOut: hosts.map((host) => [...live.pendingFor(host, NOW).keys()]),
    // What a campaign on groups and ids would target now (group-members.ts, filled by adopted hosts too).
    selected: [...view.selectedHosts({ hostIds: new Set([2, 9]), labelIds: [11, 12], teamIds: [7] })],
  };
}

describe('agent view snapshot', function () {
  let dir: string;
  let log: EventStore;
  let bus: ResultsBus;
  let events: RecordedEvent[];

  const viewOf = () => {
    const view = new AgentView();
    const live = new LiveCampaigns(bus, (selection) => view.selectedHosts(selection));
    view.followers.push((event) => live.apply(event));
    return { view, live };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logbook-view-snapshot-'));
    log = await openLmdbEventStore(join(dir, 'events'));
    bus = createInProcessResultsBus();
    for (const [index, given] of GIVEN.entries()) {
      const metadata = { actor: ADMIN, occurredAt: new Date(Date.UTC(2024, 0, 1) + index * 1000).toISOString(), correlationId: `c-${index}`, causationId: null };
      await log.append([{ streamId: given.streamId, expected: 'any', events: [{ type: given.type, data: given.data, metadata }] }]);
    }
    events = await log.readAll(START, 1000);
    assert.equal(events.length, GIVEN.length);
  });
  after(async () => {
    await log.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fullReplay = () => {
    const parts = viewOf();
    for (const event of events) parts.view.applyFollowed(event);
    return dump(parts.view, parts.live);
  };

  for (const format of [SNAPSHOT_FORMAT, 2] as const) {
  it(`gives, snapshotted after any event and then given the tail, the view a full replay gives (format ${format})`, async () => {
    const expected = fullReplay();
    for (let k = 0; k < events.length; k++) {
      const store = new ViewSnapshotStore(join(dir, `snapshot-${format}-${k}`), format);
      const before = viewOf();
      for (const event of events.slice(0, k + 1)) before.view.applyFollowed(event);
      assert.ok(await store.write(before.view, before.live, NOW));
      const restored = await restoreView(store, log, bus, quiet);
      assert.equal(restored.snapshotPosition, events[k].position);
      for (const event of events.slice(k + 1)) restored.view.applyFollowed(event);
      assert.deepEqual(dump(restored.view, restored.live), expected, `snapshot after event ${k} (${events[k].type})`);
    }
  });

  it(`gives the same view when hosts were ahead of the position it covers (an instance applies its own appends at once; format ${format})`, async () => {
    const expected = fullReplay();
    for (let k = 0; k < events.length - 2; k++) {
      const store = new ViewSnapshotStore(join(dir, `ahead-${format}-${k}`), format);
      const before = viewOf();
      for (const event of events.slice(0, k + 1)) before.view.applyFollowed(event);
      // The next two events as the instance that appended them applies them: before the log delivers them.
      for (const event of events.slice(k + 1, k + 3)) before.view.apply(event);
      await store.write(before.view, before.live, NOW);
      const restored = await restoreView(store, log, bus, quiet);
      for (const event of events.slice(k + 1)) restored.view.applyFollowed(event);
      assert.deepEqual(dump(restored.view, restored.live), expected, `own appends after event ${k}`);
    }
  });
  }

  async function snapshotted(name: string, format: 2 | 3 = SNAPSHOT_FORMAT): Promise<ViewSnapshotStore> {
    const store = new ViewSnapshotStore(join(dir, name), format);
    const before = viewOf();
    for (const event of events) before.view.applyFollowed(event);
    await store.write(before.view, before.live, NOW);
    return store;
  }

  /** Rewrites one entry of a snapshot's environment, as damage on disk would. */
  async function tamper(name: string, change: (key: string, value: string) => string | undefined): Promise<void> {
    const root = open<string, string>({ path: join(dir, name), encoding: 'string' });
    for (const { key, value } of root.getRange({})) {
      const changed = change(key, value);
      if (changed !== undefined) await root.put(key, changed);
    }
    await root.close();
  }

  async function assertRefused(store: ViewSnapshotStore, reason: RegExp): Promise<void> {
    const warnings: string[] = [];
    const restored = await restoreView(store, log, bus, { info: () => undefined, warn: (obj: { reason?: string }) => void warnings.push(obj.reason ?? '') });
    assert.equal(restored.snapshotPosition, null);
    assert.equal(restored.view.hostCount, 0, 'an empty view, nothing half-loaded');
    assert.equal(restored.view.followed.position, START);
    assert.match(warnings.join(' '), reason);
    for (const event of events) restored.view.applyFollowed(event);
    assert.deepEqual(dump(restored.view, restored.live), fullReplay(), 'then built from the log, whole');
  }

  it('is refused when a part of it is damaged (digest)', async () => {
    const store = await snapshotted('damaged');
    await tamper('damaged', (key, value) => (key.endsWith(':hosts:0') ? value.replace('host-1b', 'host-1c') : undefined));
    await assertRefused(store, /does not match its digest/);
  });

  it('is refused when a part is missing', async () => {
    const store = await snapshotted('missing');
    const root = open<string, string>({ path: join(dir, 'missing'), encoding: 'string' });
    for (const key of root.getKeys()) if (String(key).endsWith(':head')) await root.remove(key);
    await root.close();
    await assertRefused(store, /missing/);
  });

  it('is refused when its header is not one, or of another format', async () => {
    const garbled = await snapshotted('garbled');
    await tamper('garbled', (key) => (key === 'header' ? '{"format":' : undefined));
    await assertRefused(garbled, /header is not JSON/);
    const older = await snapshotted('older');
    await tamper('older', (key, value) => (key === 'header' ? JSON.stringify({ ...JSON.parse(value), format: SNAPSHOT_FORMAT + 1 }) : undefined));
    await assertRefused(older, /format/);
    // A host count far past what its parts can hold is refused, not made room for.
    const inflated = await snapshotted('inflated');
    await tamper('inflated', (key, value) => (key === 'header' ? JSON.stringify({ ...JSON.parse(value), hosts: 2 ** 40 }) : undefined));
    await assertRefused(inflated, /where the header says/);
  });

  it('is refused when its hosts decode but are not hosts (digests made to match)', async () => {
    const store = await snapshotted('not-hosts', 2);
    const { createHash } = await import('node:crypto');
    const bad = JSON.stringify([['host-uuid-9', 'one', null, null, null, null, {}, [], [], 0, 0, 0, 0, null]]);
    let chunkKey = '';
    await tamper('not-hosts', (key) => (key.endsWith(':hosts:0') ? ((chunkKey = key), bad) : undefined));
    await tamper('not-hosts', (key, value) => {
      if (key !== 'header') return undefined;
      const header = JSON.parse(value);
      return JSON.stringify({ ...header, chunks: [createHash('sha256').update(bad).digest('hex')] });
    });
    assert.ok(chunkKey);
    await assertRefused(store, /bad revision/);
  });

  it('is refused when two of its hosts share a stream, an id or a node key (digests made to match)', async () => {
    const { createHash } = await import('node:crypto');
    const host = (stream: string, id: number, key: string) => [stream, 0, id, `uuid-${id}`, key, null, { hostname: `h-${id}` }, [], [], 0, 0, 0, 0, null];
    const cases: Array<[string, unknown[][]]> = [
      ['stream', [host('host-uuid-1', 1, 'key-1'), host('host-uuid-1', 2, 'key-2')]],
      ['id', [host('host-uuid-1', 1, 'key-1'), host('host-uuid-2', 1, 'key-2')]],
      ['key', [host('host-uuid-1', 1, 'key-1'), host('host-uuid-2', 2, 'key-1')]],
    ];
    for (const [name, tuples] of cases) {
      const store = await snapshotted(`twice-${name}`, 2);
      const bad = JSON.stringify(tuples);
      await tamper(`twice-${name}`, (key) => (key.endsWith(':hosts:0') ? bad : undefined));
      await tamper(`twice-${name}`, (key, value) => (key === 'header' ? JSON.stringify({ ...JSON.parse(value), hosts: 2, chunks: [createHash('sha256').update(bad).digest('hex')] }) : undefined));
      await assertRefused(store, /another host's too/);
    }
  });

  it('is refused when a format 3 hosts part is not one: cut short, grown, or its counts changed (digests made to match)', async () => {
    const { createHash } = await import('node:crypto');
    const damages: Array<[string, (bytes: Buffer) => Buffer]> = [
      ['short', (bytes) => bytes.subarray(0, bytes.length - 9)],
      ['long', (bytes) => Buffer.concat([bytes, Buffer.alloc(8)])],
      ['hosts', (bytes) => Buffer.from(bytes).fill(0xff, 4, 8)],
      ['strings', (bytes) => Buffer.from(bytes).fill(0, 20, 24)],
      ['empty', () => Buffer.alloc(0)],
    ];
    for (const [name, damage] of damages) {
      const store = await snapshotted(`columns-${name}`);
      const root = open<string, string>({ path: join(dir, `columns-${name}`), encoding: 'string' });
      const key = [...root.getKeys()].map(String).find((each) => each.endsWith(':hosts:0'))!;
      const bad = damage(root.getBinary(key)!);
      await root.put(key, bad as unknown as string);
      const header = JSON.parse(root.get('header')!);
      await root.put('header', JSON.stringify({ ...header, chunks: [createHash('sha256').update(bad).digest('hex')] }));
      await root.close();
      await assertRefused(store, /damaged snapshot/);
    }
  });

  it('is refused when the log is not the one it covers', async () => {
    const store = await snapshotted('other-log');
    const otherLog = await openLmdbEventStore(join(dir, 'other-events'));
    try {
      const metadata = { actor: ADMIN, occurredAt: new Date().toISOString(), correlationId: 'x', causationId: null };
      for (let i = 0; i < events.length; i++) await otherLog.append([{ streamId: 's', expected: 'any', events: [{ type: 'Other', data: {}, metadata }] }]);
      const restored = await restoreView(store, otherLog, bus, quiet);
      assert.equal(restored.snapshotPosition, null);
      assert.equal(restored.view.hostCount, 0);
    } finally {
      await otherLog.close();
    }
  });

  it('keeps the previous snapshot whole when a newer one was not finished', async () => {
    const store = await snapshotted('unfinished');
    // A write that stopped before moving the header: its parts are there, the header is not.
    await tamper('unfinished', () => undefined);
    const root = open<string, string>({ path: join(dir, 'unfinished'), encoding: 'string' });
    await root.put('00000000-0000-0000-0000-000000000000:hosts:0', '[');
    await root.close();
    const restored = await restoreView(store, log, bus, quiet);
    assert.equal(restored.snapshotPosition, events[events.length - 1].position);
    assert.deepEqual(dump(restored.view, restored.live), fullReplay());
  });
});
