/**
 * Two projector processes at once: one projects, the other stands by (decision; README,
 * "Several instances"). The lease is one document in the read store, `projector_lease/lease`:
 *
 *   { holder: "<expiry, ms since the epoch, 15 digits>|<instance id>" }
 *
 * written only with the read store's atomic `raise` (never lowered, also between processes), so
 * the greatest value stands whatever the order of concurrent writes. Every RENEW_EVERY_MS an
 * instance reads it: when it is its own or expired, the instance raises it to now + TTL_MS under
 * its own id and reads it back; it holds the lease while the stored value names it.
 *
 * Invariants: a holder that stops renewing loses the lease TTL_MS after its last renewal at most;
 * two instances can both believe they hold it for at most one renewal period (both raised after
 * an expiry and read back before the other's write), after which the lower one sees the other
 * and gives up. Projecting twice for that long is harmless: both apply the same log in order from
 * the same checkpoint, and the projections are deterministic.
 */
import { randomUUID } from 'node:crypto';
import type { ReadCollection, ReadStore } from '../../shared/ports/read-store';

export const LEASE_COLLECTION = 'projector_lease';
export const TTL_MS = 10_000;
export const RENEW_EVERY_MS = 2_000;

interface LeaseDoc {
  holder: string;
}

const encode = (expiresAt: number, id: string) => `${String(expiresAt).padStart(15, '0')}|${id}`;
function decode(holder: string | undefined): { expiresAt: number; id: string } | null {
  const match = holder === undefined ? null : /^(\d{15})\|(.+)$/.exec(holder);
  return match ? { expiresAt: Number(match[1]), id: match[2] } : null;
}

export class ProjectorLease {
  readonly id: string;
  private readonly collection: ReadCollection<LeaseDoc>;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private held = false;

  constructor(
    store: ReadStore,
    options: { id?: string; now?: () => number } = {},
  ) {
    this.id = options.id ?? `projector-${randomUUID()}`;
    this.now = options.now ?? Date.now;
    this.collection = store.collection<LeaseDoc>(LEASE_COLLECTION);
  }

  private readonly now: () => number;

  get isHeld(): boolean {
    return this.held;
  }

  /** One renewal round: answers whether this instance holds the lease now. */
  async renew(): Promise<boolean> {
    const current = decode((await this.collection.get('lease'))?.holder);
    const now = this.now();
    if (current && current.id !== this.id && current.expiresAt > now) return (this.held = false);
    await this.collection.bulk([{ op: 'raise', id: 'lease', doc: { holder: encode(now + TTL_MS, this.id) } }]);
    return (this.held = decode((await this.collection.get('lease'))?.holder)?.id === this.id);
  }

  /**
   * Renews until stopped: `onAcquired` when the lease is taken, `onLost` when a holder finds it
   * taken by another (or cannot renew it before it would expire). A failed read or write is
   * reported and counts as not holding only once the lease would have expired.
   */
  start(handlers: { onAcquired(): void; onLost(): void; onError(error: Error): void }): void {
    let lastRenewed = 0;
    const round = async () => {
      const before = this.held;
      try {
        const held = await this.renew();
        if (held) lastRenewed = this.now();
      } catch (error) {
        handlers.onError(error instanceof Error ? error : new Error(String(error)));
        this.held = before && this.now() - lastRenewed < TTL_MS - RENEW_EVERY_MS;
      }
      if (!before && this.held) handlers.onAcquired();
      if (before && !this.held) handlers.onLost();
    };
    const loop = () => {
      if (!this.stopped) this.timer = setTimeout(() => void round().finally(loop), RENEW_EVERY_MS);
    };
    void round().finally(loop);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
