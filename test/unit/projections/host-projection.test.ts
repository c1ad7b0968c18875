import {
  HOST_ENROLLED,
  HOST_FACTS_CHANGED,
  HOST_LABELS_CHANGED,
  HOST_POLICY_RESULTS_CHANGED,
  HOST_REENROLLED,
  type HostEnrolled,
} from '../../../shared/domain/hosts/host-events';
import { HOST_COUNTS, HOST_MEMBERS, HOST_SEARCH } from '../../../shared/read-models/host-read-model';
import { ACTIVITIES, HOST_STREAMS, HOSTS } from '../../../shared/read-models/read-model-types';
import { atPosition, givenEvents, type GivenEvent } from '../../support/given-events';

const STREAM = 'host-abc';
const host = { type: 'host' as const, id: 'abc' };
const onHost = (type: string, data: unknown): GivenEvent => ({ type, data, streamId: STREAM, actor: host });

const enrolled: HostEnrolled = { id: 7, host_identifier: 'abc', node_key_hash: 'f00d', team_id: null, facts: { hostname: 'web-1', platform: 'ubuntu' } };

/** The host document as HostEnrolled writes it (facts first, then Logbook's fields). */
const enrolledDoc = (position: number) => ({
  hostname: 'web-1',
  platform: 'ubuntu',
  id: 7,
  host_identifier: 'abc',
  team_id: null,
  created_at: atPosition(position),
  updated_at: atPosition(position),
  last_enrolled_at: atPosition(position),
  label_ids: [],
  policy_results: {},
  revision: 0,
  display_name: 'web-1',
});

const pad = (id: number) => String(id).padStart(16, '0');
const counter = (key: string, n = 1) => ({ [key]: { key, n } });
/** What enrolling `enrolled` adds besides the host document: counters, group members, search terms. */
const enrolledReadKeys = {
  [HOST_COUNTS]: {
    ...counter('all'),
    ...counter('platform\u0000ubuntu'),
    ...counter('team\u0000none'),
    ...counter('team\u0000none\u0000platform\u0000ubuntu'),
    ...counter('created\u00002024-01-01T00'),
    ...counter('team\u0000none\u0000created\u00002024-01-01T00'),
  },
  [HOST_MEMBERS]: { [`team\u0000none\u0000${pad(7)}`]: { host_id: 7 }, [`platform\u0000ubuntu\u0000${pad(7)}`]: { host_id: 7 } },
  [HOST_SEARCH]: { [`web-1\u0000${pad(7)}`]: { host_id: 7 }, [`1\u0000${pad(7)}`]: { host_id: 7 } },
};

describe('host projection', () => {
  it('writes the host document and maps its stream to it on enrollment, without the node key', async () => {
    await givenEvents([onHost(HOST_ENROLLED, enrolled)]).thenCollections({
      [HOSTS]: { '7': enrolledDoc(0) },
      [HOST_STREAMS]: { [STREAM]: { host_id: 7 } },
      [ACTIVITIES]: {},
      ...enrolledReadKeys,
    });
  });

  it('folds facts, labels, policy results and re-enrollment into the document, bumping its revision', async () => {
    await givenEvents([
      onHost(HOST_ENROLLED, enrolled),
      onHost(HOST_FACTS_CHANGED, { facts: { platform: 'debian', uptime: 42 } }),
      onHost(HOST_LABELS_CHANGED, { added: [9, 3, 5], removed: [] }),
      onHost(HOST_LABELS_CHANGED, { added: [1], removed: [5] }),
      onHost(HOST_POLICY_RESULTS_CHANGED, { results: { '2': true, '4': false } }),
      onHost(HOST_POLICY_RESULTS_CHANGED, { results: { '4': true } }),
      onHost(HOST_REENROLLED, { node_key_hash: 'beef', team_id: 3 }),
    ]).thenDocuments(HOSTS, {
      '7': {
        hostname: 'web-1',
        platform: 'debian',
        id: 7,
        host_identifier: 'abc',
        team_id: 3,
        created_at: atPosition(0),
        updated_at: atPosition(6),
        last_enrolled_at: atPosition(6),
        label_ids: [1, 3, 9],
        policy_results: { '2': true, '4': true },
        revision: 6,
        display_name: 'web-1',
        // A fact the host did not report at enrollment comes after Logbook's fields.
        uptime: 42,
      },
    });
  });

  it('ignores events of a host stream it has no enrollment for', async () => {
    await givenEvents([onHost(HOST_FACTS_CHANGED, { facts: { platform: 'debian' } })]).thenNothingProjected();
  });

  it('ignores a second enrollment of the same host id', async () => {
    await givenEvents([onHost(HOST_ENROLLED, enrolled), { ...onHost(HOST_ENROLLED, { ...enrolled, host_identifier: 'other' }), streamId: 'host-other' }]).thenCollections({
      [HOSTS]: { '7': enrolledDoc(0) },
      [HOST_STREAMS]: { [STREAM]: { host_id: 7 } },
      ...enrolledReadKeys,
    });
  });

  it('leaves the same documents when its events are applied twice (the revision guards them)', async () => {
    const events = [
      onHost(HOST_ENROLLED, enrolled),
      onHost(HOST_LABELS_CHANGED, { added: [3], removed: [] }),
      onHost(HOST_LABELS_CHANGED, { added: [], removed: [3] }),
      onHost(HOST_FACTS_CHANGED, { facts: { hostname: 'web-2' } }),
    ];
    await givenEvents(events).appliedTwice().thenDocuments(HOSTS, {
      '7': { ...enrolledDoc(0), hostname: 'web-2', updated_at: atPosition(3), revision: 3, display_name: 'web-2' },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });

  it('moves the counters with platform, team, label and policy changes, deleting those at zero', async () => {
    const other = { type: 'host' as const, id: 'def' };
    await givenEvents([
      onHost(HOST_ENROLLED, enrolled),
      { type: HOST_ENROLLED, data: { ...enrolled, id: 8, host_identifier: 'def', facts: { hostname: 'db-1', platform: 'ubuntu' } }, streamId: 'host-def', actor: other },
      onHost(HOST_FACTS_CHANGED, { facts: { platform: 'darwin' } }),
      onHost(HOST_LABELS_CHANGED, { added: [3, 4], removed: [] }),
      { type: HOST_LABELS_CHANGED, data: { added: [3], removed: [] }, streamId: 'host-def', actor: other },
      onHost(HOST_LABELS_CHANGED, { added: [], removed: [4] }),
      onHost(HOST_POLICY_RESULTS_CHANGED, { results: { '2': true } }),
      { type: HOST_POLICY_RESULTS_CHANGED, data: { results: { '2': false } }, streamId: 'host-def', actor: other },
      onHost(HOST_POLICY_RESULTS_CHANGED, { results: { '2': false } }),
      onHost(HOST_REENROLLED, { node_key_hash: 'beef', team_id: 5 }),
    ]).thenDocuments(HOST_COUNTS, {
      ...counter('all', 2),
      ...counter('platform\u0000ubuntu'),
      ...counter('platform\u0000darwin'),
      ...counter('team\u0000none'),
      ...counter('team\u00005'),
      ...counter('team\u0000none\u0000platform\u0000ubuntu'),
      ...counter('team\u00005\u0000platform\u0000darwin'),
      ...counter('created\u00002024-01-01T00', 2),
      ...counter('team\u0000none\u0000created\u00002024-01-01T00'),
      ...counter('team\u00005\u0000created\u00002024-01-01T00'),
      ...counter('label\u00003', 2),
      ...counter('policy\u00002\u0000failing', 2),
    });
  });

  it('keeps the group members and search terms of the current facts only', async () => {
    const events = [
      onHost(HOST_ENROLLED, enrolled),
      onHost(HOST_FACTS_CHANGED, { facts: { hostname: 'Web-2.Example.com', primary_ip: '10.0.0.5' } }),
      onHost(HOST_LABELS_CHANGED, { added: [3], removed: [] }),
    ];
    await givenEvents(events).thenDocuments(HOST_MEMBERS, {
        [`label\u00003\u0000${pad(7)}`]: { host_id: 7 },
        [`platform\u0000ubuntu\u0000${pad(7)}`]: { host_id: 7 },
        [`team\u0000none\u0000${pad(7)}`]: { host_id: 7 },
    });
    await givenEvents(events).thenDocuments(
      HOST_SEARCH,
      Object.fromEntries(['web-2.example.com', '2.example.com', 'example.com', 'com', '10.0.0.5', '0.0.5', '0.5', '5'].map((term) => [`${term}\u0000${pad(7)}`, { host_id: 7 }])),
    );
  });
});
