import { hostDecider } from '../../shared/domain/hosts/host-decider';
import type { HostEvent } from '../../shared/domain/hosts/host-events';
import { hostStatus, MIA_AFTER_MS } from '../../shared/domain/hosts/host-status';
import assert from 'node:assert/strict';
import { givenWhenThen } from '../support/given-when-then';

const enroll = givenWhenThen(hostDecider);
const report = enroll;

const enrolled: HostEvent = {
  type: 'HostEnrolled',
  data: { id: 7, host_identifier: 'uuid-1', node_key_hash: 'h1', team_id: null, facts: { hostname: 'mac-1', platform: 'darwin' } },
};

describe('decideEnrollHost', () => {
  it('enrolls a new host with the reserved id and its facts', () => {
    enroll
      .given([])
      .when({ kind: 'enroll', hostIdentifier: 'uuid-1', nodeKeyHash: 'h1', teamId: null, facts: { hostname: 'mac-1', platform: 'darwin' }, newId: () => 7 })
      .then([enrolled]);
  });

  it('re-enrolls a known host: new node key and team, only changed facts, same id', () => {
    enroll
      .given([enrolled])
      .when({ kind: 'enroll', hostIdentifier: 'uuid-1', nodeKeyHash: 'h2', teamId: 3, facts: { hostname: 'mac-1', platform: 'darwin', osquery_version: '5.12.1' }, newId: () => assert.fail('no new id for a known host') })
      .then([
        { type: 'HostReenrolled', data: { node_key_hash: 'h2', team_id: 3 } },
        { type: 'HostFactsChanged', data: { facts: { osquery_version: '5.12.1' } } },
      ]);
  });
});

describe('decideRecordHostReport', () => {
  it('records nothing for a host that is not enrolled', () => {
    report.given([]).when({ kind: 'record-report', facts: { hostname: 'x' } }).then([]);
  });

  it('records nothing when nothing changed', () => {
    report
      .given([enrolled, { type: 'HostLabelsChanged', data: { added: [1], removed: [] } }])
      .when({ kind: 'record-report', facts: { hostname: 'mac-1' }, labels: new Map([[1, true], [2, false]]), policies: new Map() })
      .then([]);
  });

  it('records changed facts, label membership and policy results, one event each', () => {
    report
      .given([enrolled, { type: 'HostLabelsChanged', data: { added: [1, 2], removed: [] } }, { type: 'HostPolicyResultsChanged', data: { results: { '5': true } } }])
      .when({ kind: 'record-report', facts: { hostname: 'mac-2', platform: 'darwin' }, labels: new Map([[3, true], [2, false], [1, true]]), policies: new Map([[5, false], [6, true]]) })
      .then([
        { type: 'HostFactsChanged', data: { facts: { hostname: 'mac-2' } } },
        { type: 'HostLabelsChanged', data: { added: [3], removed: [2] } },
        { type: 'HostPolicyResultsChanged', data: { results: { '5': false, '6': true } } },
      ]);
  });
});

describe('hostStatus', () => {
  const now = Date.parse('2024-05-06T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('is online within the check-in interval plus a minute', () => {
    assert.equal(hostStatus(ago(65_000), 10_000, now), 'online');
  });

  it('is offline after that', () => {
    assert.equal(hostStatus(ago(71_000), 10_000, now), 'offline');
  });

  it('is missing in action after 30 days', () => {
    assert.equal(hostStatus(ago(MIA_AFTER_MS + 1), 10_000, now), 'mia');
  });
});
