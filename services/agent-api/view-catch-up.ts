/**
 * Catching the agent view up with the event log when a request names what the view does not
 * know (a node key or enroll secret issued by another instance a moment ago), coalesced: a flood
 * of unknown keys must not make the view read the log's head once per request.
 *
 * Invariants:
 * - at most one catch-up runs at a time, and one starts at most every `minIntervalMs`;
 * - a caller is answered by a catch-up that *started after it called* (it read the log's head
 *   after the caller's host was enrolled, if it was), so sharing never hides a new host: callers
 *   that arrive while one runs all share the single next one;
 * - memory is one pending promise whatever the number of callers (each caller holds only its
 *   reaction on it, as long as its request lasts).
 */

export const CATCH_UP_MIN_INTERVAL_MS = 100;

export class ViewCatchUp {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private lastStartedAt = -Infinity;
  /** Catch-ups started so far (for the metric). */
  started = 0;

  constructor(
    private readonly catchUp: () => Promise<unknown>,
    private readonly minIntervalMs = CATCH_UP_MIN_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Resolves once a catch-up that started after this call has ended (failed ones too). */
  request(): Promise<void> {
    if (this.next) return this.next;
    // Always from a reaction, so `next` is set before it can start (and be cleared).
    const next = (this.running ?? Promise.resolve()).then(() => this.startAfterInterval());
    this.next = next;
    return next;
  }

  private async startAfterInterval(): Promise<void> {
    const wait = this.lastStartedAt + this.minIntervalMs - this.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    // From here on, later callers need a later catch-up: this one may have read the head already.
    this.next = null;
    this.lastStartedAt = this.now();
    this.started++;
    const run = this.catchUp().then(
      () => undefined,
      () => undefined,
    );
    this.running = run;
    await run;
    if (this.running === run) this.running = null;
  }
}
