import {
  HOST_ENROLLED,
  HOST_FACTS_CHANGED,
  HOST_LABELS_CHANGED,
  HOST_POLICY_RESULTS_CHANGED,
  HOST_REENROLLED,
  type HostEnrolled,
} from '../../../shared/domain/hosts/host-events';
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
});

describe('host projection', () => {
  it('writes the host document and maps its stream to it on enrollment, without the node key', async () => {
    await givenEvents([onHost(HOST_ENROLLED, enrolled)]).thenCollections({
      [HOSTS]: { '7': enrolledDoc(0) },
      [HOST_STREAMS]: { [STREAM]: { host_id: 7 } },
      [ACTIVITIES]: {},
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
      '7': { ...enrolledDoc(0), hostname: 'web-2', updated_at: atPosition(3), revision: 3 },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});
