/**
 * Whether the embedded stores can write, for readiness (/healthz): each store (named by its
 * directory) that saw a write fail is "failing" until one of its writes succeeds again.
 *
 * Invariant: while a store is failing, a probe (a tiny real write) runs every PROBE_EVERY_MS, so
 * the health recovers by itself once space returns even when nothing else writes (a readiness
 * check that stays red would keep the traffic, hence the writes, away for ever). The timer is
 * unref'd and only runs while something is failing.
 */
const PROBE_EVERY_MS = 2_000;

interface Failing {
  reason: string;
  probe(): Promise<unknown>;
}

export class StorageHealth {
  private readonly failing = new Map<string, Failing>();
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(private readonly probeEveryMs = PROBE_EVERY_MS) {}

  /** Null while every store writes; else why one does not (the first failing store's reason). */
  problem(): string | null {
    for (const { reason } of this.failing.values()) return reason;
    return null;
  }

  /** A write to `store` failed; `probe` retries a tiny write (it reports through failed/succeeded). */
  failed(store: string, reason: string, probe: () => Promise<unknown>): void {
    this.failing.set(store, { reason, probe });
    if (this.timer) return;
    this.timer = setInterval(() => void this.probeFailing(), this.probeEveryMs);
    this.timer.unref();
  }

  succeeded(store: string): void {
    if (!this.failing.delete(store) || this.failing.size > 0) return;
    this.stopProbing();
  }

  /** The store is closing: stop probing it (a closed store cannot write). */
  forget(store: string): void {
    this.succeeded(store);
  }

  private async probeFailing(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      for (const { probe } of [...this.failing.values()]) await probe().catch(() => undefined);
    } finally {
      this.probing = false;
    }
  }

  private stopProbing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
