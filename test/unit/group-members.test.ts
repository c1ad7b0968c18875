import assert from 'node:assert/strict';
import { isSelected, type CampaignSelection } from '../../shared/domain/campaigns/campaign-events';
import { GroupMembers, type GroupMembership } from '../../services/agent-api/group-members';

/** A host as the view holds it: id, ascending label ids, team. */
const host = (id: number | null, labelIds: number[] = [], teamId: number | null = null): GroupMembership => ({ id, labelIds, teamId });
const selection = (parts: { hosts?: number[]; labels?: number[]; teams?: number[] }): CampaignSelection => ({
  hostIds: new Set(parts.hosts ?? []),
  labelIds: parts.labels ?? [],
  teamIds: parts.teams ?? [],
});
const idsOf = (selected: Uint8Array) => [...selected.keys()].filter((id) => selected[id] === 1);

/**
 * given(changes): each change is [before, after] of one host, as the view reports them;
 * .whenSelecting(selection, length).thenSelected(ids) asserts the selected host ids.
 */
function given(changes: Array<[GroupMembership | null, GroupMembership | null]>) {
  const members = new GroupMembers();
  for (const [before, after] of changes) members.update(before, after);
  return {
    whenSelecting(chosen: CampaignSelection, length = 16) {
      const selected = members.select(chosen, length);
      return {
        thenSelected(expected: number[]) {
          assert.equal(selected.length, length, 'a byte per host id below the length');
          assert.deepEqual(idsOf(selected), expected);
        },
      };
    },
  };
}

describe('group members', () => {
  it('selects the enrolled members of a label', () => {
    given([
      [null, host(1, [1, 3])],
      [null, host(2, [1])],
      [null, host(3, [3])],
    ])
      .whenSelecting(selection({ labels: [3] }))
      .thenSelected([1, 3]);
  });

  it('selects a team by its hosts\' team id, and the union of labels, teams and ids', () => {
    given([
      [null, host(1, [], 7)],
      [null, host(2, [2])],
      [null, host(3, [], 8)],
      [null, host(4)],
    ])
      .whenSelecting(selection({ teams: [7], labels: [2], hosts: [4] }))
      .thenSelected([1, 2, 4]);
  });

  it('selects by id only hosts that are enrolled', () => {
    given([[null, host(2)]])
      .whenSelecting(selection({ hosts: [1, 2, 40, -1], labels: [1] }))
      .thenSelected([2]);
  });

  it('follows a host leaving a label and moving to another team', () => {
    given([
      [null, host(1, [1, 2], 7)],
      [host(1, [1, 2], 7), host(1, [2], 8)],
    ])
      .whenSelecting(selection({ labels: [1], teams: [7] }))
      .thenSelected([]);
  });

  it('selects nothing for an unknown label or team', () => {
    given([[null, host(1, [1], 1)]])
      .whenSelecting(selection({ labels: [99], teams: [99] }))
      .thenSelected([]);
  });

  it('drops every group of a host that loses its id', () => {
    given([
      [null, host(5, [1], 2)],
      [host(5, [1], 2), null],
    ])
      .whenSelecting(selection({ labels: [1], teams: [2], hosts: [5] }))
      .thenSelected([]);
  });

  it('grows with ids past the first words, and answers only below the length asked', () => {
    given([
      [null, host(3, [1])],
      [null, host(100_000, [1])],
    ])
      .whenSelecting(selection({ labels: [1] }), 100_001)
      .thenSelected([3, 100_000]);
    given([[null, host(70, [1])]])
      .whenSelecting(selection({ labels: [1] }), 64)
      .thenSelected([]);
  });

  it('answers what isSelected answers for every host, through a series of changes', () => {
    // A deterministic pseudo-random fleet: hosts enroll, change labels and teams, some twice.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const members = new GroupMembers();
    const hosts = new Map<number, GroupMembership>();
    for (let step = 0; step < 3_000; step += 1) {
      const id = 1 + next(300);
      const labels = [...new Set([next(6), next(6)])].sort((a, b) => a - b);
      const after = host(id, labels, next(3) === 0 ? null : next(4));
      members.update(hosts.get(id) ?? null, after);
      hosts.set(id, after);
    }
    for (const chosen of [selection({ labels: [1] }), selection({ labels: [0, 5], teams: [2] }), selection({ teams: [0, 3], hosts: [7, 301, 299] })]) {
      const expected = [...hosts.values()]
        .filter((each) => isSelected(chosen, each.id!, (labelId) => each.labelIds.includes(labelId), each.teamId))
        .map((each) => each.id!)
        .sort((a, b) => a - b);
      assert.deepEqual(idsOf(members.select(chosen, 301)), expected);
    }
  });
});
