/**
 * The recorder's in-memory answered set: per campaign, every host whose result is recorded, for
 * the campaigns where this recorder knows all of them. A result of a host not in a known set is
 * new without reading the store; a campaign without a known set is decided by reading the store
 * for each result (the recorder's fallback).
 *
 * Invariants:
 * - A set is started only for a campaign whose stored count is 0 with nothing of it being
 *   written: nothing of it is recorded (on LMDB results and counts commit together; see below for
 *   MongoDB). Every result the recorder decides for the campaign is added as it is decided, with the
 *   count it brings, so the set always equals what the store will hold once the writes in flight
 *   are stored.
 * - Whenever the recorder reads the stored count (nothing of the campaign in flight), a count
 *   other than the set's means another writer recorded results (the partition moved to another
 *   instance and back, or the campaign's results were deleted): the set is forgotten, for good.
 * - A write that fails voids what was decided on it, and a batch that fails while being decided (or
 *   is decided on a voided write) is delivered again: either way every set is forgotten, so that no
 *   set holds a host whose result is not going to be stored.
 * - Bounded: at most MAX_CAMPAIGNS sets; beyond, all are forgotten (those campaigns fall back).
 *
 * MongoDB writes results before counts: a crash in between leaves results above a count of 0. The
 * set then decides their redelivered messages again, in the same order, to the same seq numbers,
 * and they overwrite themselves (same ids), where the fallback would raise the count to them.
 */
const MAX_CAMPAIGNS = 10_000;

interface KnownHosts {
  hosts: Set<number>;
  /** The campaign's count once every host in `hosts` is stored. */
  count: number;
}

export class AnsweredHosts {
  private readonly campaigns = new Map<number, KnownHosts>();

  /** Told the campaign's stored count, read while nothing of it was being written. */
  storedCount(campaignId: number, count: number): void {
    const known = this.campaigns.get(campaignId);
    if (known) {
      if (known.count !== count) this.campaigns.delete(campaignId);
      return;
    }
    if (count !== 0) return;
    if (this.campaigns.size >= MAX_CAMPAIGNS) this.campaigns.clear();
    this.campaigns.set(campaignId, { hosts: new Set(), count: 0 });
  }

  /** true: recorded (or decided); false: not; undefined: unknown (read the store). */
  isAnswered(campaignId: number, hostId: number): boolean | undefined {
    return this.campaigns.get(campaignId)?.hosts.has(hostId);
  }

  /** A result was decided for the host, bringing the campaign's count to `count`. */
  decided(campaignId: number, hostId: number, count: number): void {
    const known = this.campaigns.get(campaignId);
    if (!known) return;
    known.hosts.add(hostId);
    known.count = count;
  }

  /** A write failed: what was decided on it is void. */
  forgetAll(): void {
    this.campaigns.clear();
  }
}
