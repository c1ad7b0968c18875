/**
 * Login throttling: a budget of failed logins per account (its email, whether or not a user has
 * it) and a larger one per client network (./client-address), in this process's memory.
 *
 * The policy, with the numbers from settings (LOGIN_* in shared/config/settings.ts):
 * - an attempt is admitted only while both its budgets have room, and is counted against both
 *   as it is admitted, before its password is checked; admitting and counting are one synchronous
 *   step, so parallel guesses cannot slip through before the counters move: at most
 *   `maxFailuresPerAccount` attempts on one account are checked per window, in flight or failed;
 * - when a budget is spent and one more of its attempts fails, it is locked for `lockoutSeconds`:
 *   every attempt it covers is refused (429), the right password included, until the lockout
 *   ends on its own; nothing locks an account for longer, and a new lockout needs a new budget's
 *   worth of failures;
 * - a success resets the account's budget (and ends its lockout, if a parallel guess began one)
 *   and takes back only its own attempt from the network's budget: logging in to one's own
 *   account must not buy guesses at others';
 * - an attempt that ends in an error, neither success nor failure, is taken back from both.
 *
 * Unknown emails are counted exactly like known ones, so 401 and 429 answers say nothing about
 * which emails exist. Several API processes each keep their own budgets.
 */
import { FailureBudgets } from './failure-budgets';

export interface LoginThrottlePolicy {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

/** A lockout a failure began: of one account, or of one client network. */
export interface Lockout {
  scope: 'account' | 'address';
  /** The account's email or the network's key. */
  key: string;
  until: Date;
  /** Failures that spent the budget, and the window they fell within. */
  failures: number;
  windowSeconds: number;
}

/** An admitted attempt; tell it once how it ended. */
export interface LoginAttempt {
  /** The password was right. */
  succeeded(): void;
  /** The password was wrong or the account unknown: returns the lockouts this failure began. */
  failed(): Lockout[];
  /** Neither: the attempt ended in an error before its outcome was known. */
  abandoned(): void;
}

export type Admission = { admitted: true; attempt: LoginAttempt } | { admitted: false; retryAfterSeconds: number };

/** Keys each budget map holds at most (see FailureBudgets); a key costs a few hundred bytes. */
const MAX_TRACKED_KEYS = 100_000;

export class LoginThrottle {
  private readonly accounts: FailureBudgets;
  private readonly addresses: FailureBudgets;

  constructor(
    private readonly policy: LoginThrottlePolicy,
    private readonly now: () => number = Date.now,
    maxTrackedKeys = MAX_TRACKED_KEYS,
  ) {
    const windowMs = policy.failureWindowSeconds * 1000;
    const lockoutMs = policy.lockoutSeconds * 1000;
    this.accounts = new FailureBudgets({ max: policy.maxFailuresPerAccount, windowMs, lockoutMs, maxKeys: maxTrackedKeys });
    this.addresses = new FailureBudgets({ max: policy.maxFailuresPerAddress, windowMs, lockoutMs, maxKeys: maxTrackedKeys });
  }

  /**
   * Admits (and counts) an attempt on `account` from `address`, or refuses it with the whole
   * seconds to wait (at least 1). Synchronous on purpose: see the module comment.
   */
  admit(account: string, address: string): Admission {
    const startedAt = this.now();
    const waitMs = Math.max(this.accounts.refusalMs(account, startedAt), this.addresses.refusalMs(address, startedAt));
    if (waitMs > 0) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    this.accounts.count(account, startedAt);
    this.addresses.count(address, startedAt);
    return { admitted: true, attempt: this.attempt(account, address, startedAt) };
  }

  private attempt(account: string, address: string, startedAt: number): LoginAttempt {
    let settled = false;
    const settle = () => {
      if (settled) throw new Error('a login attempt was told its outcome twice');
      settled = true;
    };
    return {
      succeeded: () => {
        settle();
        this.accounts.reset(account);
        this.addresses.takeBack(address, startedAt);
      },
      failed: () => {
        settle();
        const now = this.now();
        const lockouts: Lockout[] = [];
        const accountUntil = this.accounts.fail(account, now);
        if (accountUntil !== null) lockouts.push(this.lockout('account', account, accountUntil, this.policy.maxFailuresPerAccount));
        const addressUntil = this.addresses.fail(address, now);
        if (addressUntil !== null) lockouts.push(this.lockout('address', address, addressUntil, this.policy.maxFailuresPerAddress));
        return lockouts;
      },
      abandoned: () => {
        settle();
        this.accounts.takeBack(account, startedAt);
        this.addresses.takeBack(address, startedAt);
      },
    };
  }

  private lockout(scope: Lockout['scope'], key: string, untilMs: number, failures: number): Lockout {
    return { scope, key, until: new Date(untilMs), failures, windowSeconds: this.policy.failureWindowSeconds };
  }
}
