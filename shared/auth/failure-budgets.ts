/**
 * Budgets of failed attempts, one per key (an account's email, a client's network), in memory.
 * The login throttle (./login-throttle) keeps two of these; this module knows nothing of logins.
 *
 * Invariants:
 * - a key's budget holds at most `max` counted attempts: `count` is only called after
 *   `refusalMs` said 0, synchronously, so a budget never grows past `max`;
 * - counted attempts older than the window no longer count (a sliding window);
 * - a failure confirmed while the budget holds `max` counted attempts locks the key for the
 *   lockout time and empties its budget, so after the lockout the key starts afresh;
 * - the map holds at most `maxKeys` keys: past that, keys with nothing counted and no lockout go
 *   first, then the least recently counted (whose counts, and lockout, are then forgotten).
 */

interface Budget {
  /** Start times (ms) of the attempts counted, oldest first; pending attempts included. */
  attempts: number[];
  /** Locked until this time (ms); 0 when not locked. */
  lockedUntil: number;
}

export interface BudgetLimits {
  max: number;
  windowMs: number;
  lockoutMs: number;
  maxKeys: number;
}

export class FailureBudgets {
  private readonly byKey = new Map<string, Budget>();

  constructor(private readonly limits: BudgetLimits) {}

  /** How long (ms) `key` must wait before another attempt; 0 when it may try now. */
  refusalMs(key: string, now: number): number {
    const budget = this.byKey.get(key);
    if (budget === undefined) return 0;
    if (budget.lockedUntil > now) return budget.lockedUntil - now;
    this.prune(budget, now);
    // Full of attempts still being checked: once they fail, the key is locked for the lockout time.
    return budget.attempts.length >= this.limits.max ? this.limits.lockoutMs : 0;
  }

  /** Counts an attempt that started at `now` (call only when refusalMs said 0). */
  count(key: string, now: number): void {
    const budget = this.byKey.get(key) ?? { attempts: [], lockedUntil: 0 };
    budget.attempts.push(now);
    // Re-inserted, so the map's order is least recently counted first.
    this.byKey.delete(key);
    this.byKey.set(key, budget);
    this.keepWithinMaxKeys(now);
  }

  /**
   * Confirms a counted attempt as a failure. Returns when the lockout this failure began ends
   * (ms), or null when it began none (budget not yet spent, or already locked).
   */
  fail(key: string, now: number): number | null {
    const budget = this.byKey.get(key);
    if (budget === undefined || budget.lockedUntil > now) return null;
    this.prune(budget, now);
    if (budget.attempts.length < this.limits.max) return null;
    budget.attempts = [];
    budget.lockedUntil = now + this.limits.lockoutMs;
    return budget.lockedUntil;
  }

  /** Takes back the one attempt that started at `startedAt` (it did not fail). */
  takeBack(key: string, startedAt: number): void {
    const budget = this.byKey.get(key);
    if (budget === undefined) return;
    const index = budget.attempts.indexOf(startedAt);
    if (index >= 0) budget.attempts.splice(index, 1);
    if (budget.attempts.length === 0 && budget.lockedUntil === 0) this.byKey.delete(key);
  }

  /** Forgets everything counted against `key`, its lockout included. */
  reset(key: string): void {
    this.byKey.delete(key);
  }

  /** Keys tracked now (for tests and metrics). */
  get size(): number {
    return this.byKey.size;
  }

  private prune(budget: Budget, now: number): void {
    const oldest = now - this.limits.windowMs;
    while (budget.attempts.length > 0 && budget.attempts[0] <= oldest) budget.attempts.shift();
    if (budget.lockedUntil !== 0 && budget.lockedUntil <= now) budget.lockedUntil = 0;
  }

  private keepWithinMaxKeys(now: number): void {
    if (this.byKey.size <= this.limits.maxKeys) return;
    for (const [key, budget] of this.byKey) {
      this.prune(budget, now);
      if (budget.attempts.length === 0 && budget.lockedUntil === 0) this.byKey.delete(key);
    }
    // Still nearly full of live budgets: drop the least recently counted down to nine tenths of
    // maxKeys, so that the next counts do not sweep the whole map again.
    const target = Math.floor(this.limits.maxKeys * 0.9);
    for (const key of this.byKey.keys()) {
      if (this.byKey.size <= target) break;
      this.byKey.delete(key);
    }
  }
}
