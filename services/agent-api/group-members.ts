/**
 * The members of every label and team of the agent view as bits by host id, kept up to date as
 * hosts enroll and their labels or team change, so that resolving a campaign's selection costs a
 * few word-wise ORs over the fleet's ids instead of asking every host whether it is selected.
 *
 * Invariants (the same answer as `isSelected` asked of every enrolled host of the view):
 * - bit i of a label's set is 1 exactly when host i is enrolled and its label ids hold the label
 *   (`isLabelMember`: what the host reported, whatever kind of label it is; the API turns manual
 *   labels into hostnames, hence host ids, before the campaign is recorded);
 * - bit i of a team's set is 1 exactly when host i is enrolled with that team id;
 * - bit i of `enrolled` is 1 exactly when host i is enrolled (hosts selected by id count only then);
 * - the owner reports every change of a tracked host as `update(before, after)`, a host leaving
 *   (or not yet having) an id as null: nothing else writes the sets.
 * Memory: one bit per host id per label or team a host ever belonged to (12.5 kB per group for
 * 100,000 hosts), plus the enrolled set.
 */
import type { CampaignSelection } from '../../shared/domain/campaigns/campaign-events';

/** What decides a host's groups: its id (null: not enrolled), labels (ascending) and team. */
export interface GroupMembership {
  id: number | null;
  labelIds: readonly number[];
  teamId: number | null;
}

/** A growable set of host ids as bits, 32 to a word. */
class IdBits {
  words = new Uint32Array(0);

  set(id: number, member: boolean): void {
    const word = id >>> 5;
    if (word >= this.words.length) {
      if (!member) return;
      const grown = new Uint32Array(Math.max(word + 1, this.words.length * 2, 64));
      grown.set(this.words);
      this.words = grown;
    }
    if (member) this.words[word] |= 1 << (id & 31);
    else this.words[word] &= ~(1 << (id & 31));
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.words.length && (this.words[word] & (1 << (id & 31))) !== 0;
  }
}

export class GroupMembers {
  private readonly enrolled = new IdBits();
  private readonly labels = new Map<number, IdBits>();
  private readonly teams = new Map<number, IdBits>();

  /** A tracked host changed from `before` to `after` (null: without an id, so in no group). */
  update(before: GroupMembership | null, after: GroupMembership | null): void {
    const from = before?.id ?? null;
    const to = after?.id ?? null;
    if (from !== null && from !== to) this.leaveAll(from, before!);
    if (to === null) return;
    const was = from === to ? before! : null;
    this.enrolled.set(to, true);
    if (was?.teamId !== after!.teamId) {
      if (was?.teamId != null) this.teams.get(was.teamId)?.set(to, false);
      if (after!.teamId !== null) this.group(this.teams, after!.teamId).set(to, true);
    }
    const previous = was?.labelIds ?? [];
    if (previous === after!.labelIds) return; // label lists are shared between hosts: same list, same labels
    for (const labelId of previous) if (!after!.labelIds.includes(labelId)) this.labels.get(labelId)?.set(to, false);
    for (const labelId of after!.labelIds) this.group(this.labels, labelId).set(to, true);
  }

  /**
   * The enrolled hosts a selection holds, a byte per host id (1: selected) for ids below
   * `length`: the hosts named by id that are enrolled, and the members of its labels and teams.
   */
  select(selection: CampaignSelection, length: number): Uint8Array {
    const selected = new Uint8Array(length);
    const groups = [
      ...selection.labelIds.map((id) => this.labels.get(id)),
      ...selection.teamIds.map((id) => this.teams.get(id)),
    ].filter((bits): bits is IdBits => bits !== undefined);
    const words = Math.min(Math.ceil(length / 32), Math.max(0, ...groups.map((bits) => bits.words.length)));
    for (let word = 0; word < words; word += 1) {
      let union = 0;
      for (const bits of groups) union |= bits.words[word] ?? 0;
      if (union === 0) continue;
      const first = word << 5;
      if (union === -1) selected.fill(1, first, first + 32); // 32 members in a row: the usual word of a large group
      else for (let bit = 0; bit < 32; bit += 1) if (union & (1 << bit)) selected[first + bit] = 1;
    }
    for (const id of selection.hostIds) if (id >= 0 && id < length && this.enrolled.has(id)) selected[id] = 1;
    return selected;
  }

  private leaveAll(id: number, membership: GroupMembership): void {
    this.enrolled.set(id, false);
    if (membership.teamId !== null) this.teams.get(membership.teamId)?.set(id, false);
    for (const labelId of membership.labelIds) this.labels.get(labelId)?.set(id, false);
  }

  private group(groups: Map<number, IdBits>, id: number): IdBits {
    let bits = groups.get(id);
    if (bits === undefined) groups.set(id, (bits = new IdBits()));
    return bits;
  }
}
