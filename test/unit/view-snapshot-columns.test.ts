/**
 * Snapshot format 3's host chunks (view-snapshot-columns.ts): what encoding made decodes to hosts
 * that encode (as format 2's tuples) exactly as the originals; bytes that are not such a chunk
 * (any byte changed, cut short, grown, counts or offsets made up) are refused with
 * SnapshotDecodeError or decode to checked hosts, never crash or throw anything else.
 */
import assert from 'node:assert/strict';
import type { HostState } from '../../shared/domain/hosts/host-decider';
import { labelIdList, NO_IDS, withPolicyResults } from '../../shared/domain/hosts/compact-host-state';
import { AgentView } from '../../services/agent-api/agent-view';
import { encodeHost, SnapshotDecodeError } from '../../services/agent-api/view-snapshot-codec';
import { adoptHostColumns, encodeHostColumns } from '../../services/agent-api/view-snapshot-columns';

function hostState(n: number): HostState {
  return {
    id: n % 5 === 0 ? null : n,
    hostIdentifier: n % 7 === 0 ? null : `uuid-${n}`,
    nodeKeyHash: n % 5 === 0 ? null : `${n}`.padStart(64, 'k'),
    teamId: n % 3 === 0 ? 7 : null,
    facts: n % 4 === 0 ? {} : { hostname: `höst-${n} ✓`, uuid: `uuid-${n}`, platform: 'darwin', cpu_logical_cores: n % 16, computer_name: `höst-${n} ✓`, primary_ip: '' },
    labelIds: n % 2 === 0 ? labelIdList([1, 11, n]) : NO_IDS,
    policyResults: n % 3 === 1 ? withPolicyResults(NO_IDS, { '21': true, [String(n + 100)]: false }) : NO_IDS,
  };
}

function fleet(count: number): AgentView {
  const view = new AgentView();
  for (let n = 1; n <= count; n++) {
    const host = view.adoptHost(`host-uuid-${n}`, n % 9, hostState(n))!;
    host.seenAt = 1_700_000_000_000 + n;
    host.detailsAt = n % 2 ? 0 : 1_700_000_000_500 + n;
    host.labelsAt = n;
    host.policiesAt = 0.5 * n;
  }
  return view;
}

const tuples = (view: AgentView) => view.allHosts().map(encodeHost);

describe('agent view snapshot columns (format 3)', function () {
  it('decodes what it encoded: every field of every host, its indexes, shared lists', () => {
    const original = fleet(300);
    const decoded = new AgentView();
    assert.equal(adoptHostColumns(decoded, encodeHostColumns(original.allHosts())), 300);
    assert.deepEqual(tuples(decoded), tuples(original));
    assert.equal(decoded.hostCount, original.hostCount);
    for (const host of decoded.allHosts()) {
      assert.equal(decoded.hostByStream(host.streamId), host);
      if (host.state.nodeKeyHash) assert.equal(decoded.hostByNodeKeyHash(host.state.nodeKeyHash), host);
      if (host.state.id !== null) assert.equal(decoded.hostById(host.state.id), host);
      assert.equal(host.state.labelIds, original.hostByStream(host.streamId)!.state.labelIds, 'the same shared list');
    }
  });

  it('decodes an empty chunk to no hosts', () => {
    const view = new AgentView();
    assert.equal(adoptHostColumns(view, encodeHostColumns([])), 0);
    assert.equal(view.allHosts().length, 0);
  });

  it('refuses bytes that are not a chunk, or decodes them to checked hosts, whatever is changed', () => {
    const chunk = encodeHostColumns(fleet(40).allHosts());
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x1_0000_0000);
    const damaged: Buffer[] = [Buffer.alloc(0), chunk.subarray(0, 31), chunk.subarray(0, chunk.length - 1), Buffer.concat([chunk, Buffer.alloc(8)])];
    for (let word = 1; word < 8; word++) damaged.push(Buffer.from(chunk).fill(0xff, word * 4, word * 4 + 4), Buffer.from(chunk).fill(0, word * 4, word * 4 + 4));
    for (let round = 0; round < 1500; round++) {
      const bytes = Buffer.from(chunk);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      damaged.push(bytes);
    }
    let refused = 0;
    for (const bytes of damaged) {
      const view = new AgentView();
      try {
        adoptHostColumns(view, bytes);
        for (const host of view.allHosts()) {
          assert.ok(host.streamId !== '' && Number.isSafeInteger(host.revision) && host.revision >= 0);
          assert.ok(host.state.id === null || Number.isSafeInteger(host.state.id));
          for (const value of Object.values(host.state.facts)) assert.ok(typeof value === 'string' || Number.isFinite(value));
        }
      } catch (error) {
        if (!(error instanceof SnapshotDecodeError)) throw error;
        refused++;
      }
    }
    assert.ok(refused >= 4 + 14, `the cut, grown and recounted chunks are refused (${refused} refused)`);
  });
});
