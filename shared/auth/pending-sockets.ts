/**
 * Sockets that are open but not yet authenticated, per process, across every socket endpoint
 * (results watchers on each transport, both shell sides). Invariants: at most `max` admissions
 * are held at once; each admission ends (frees its slot, stops its timer) exactly once, when its
 * socket authenticated or closed; an admission not ended within `timeoutMs` has its deadline
 * called once, and its socket is expected to close.
 */
export interface PendingLimits {
  max: number;
  timeoutMs: number;
}

export interface Admission {
  /** The socket authenticated or closed: idempotent. */
  end(): void;
}

export class PendingSockets {
  private held = 0;

  constructor(private readonly limits: PendingLimits) {}

  get timeoutMs(): number {
    return this.limits.timeoutMs;
  }

  get count(): number {
    return this.held;
  }

  /** A slot for a new socket, whose deadline runs from now; null when every slot is taken. */
  admit(onDeadline: () => void): Admission | null {
    if (this.held >= this.limits.max) return null;
    this.held++;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.held--;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      end();
      onDeadline();
    }, this.limits.timeoutMs);
    timer.unref();
    return { end };
  }
}
