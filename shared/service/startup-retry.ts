/**
 * Start-up against a server that may not be up yet (EventStoreDB, MongoDB, Kafka in a compose
 * file that starts everything at once): the connect is tried, and on failure tried again after a
 * growing pause (exponential backoff with full jitter, capped), until it succeeds or the next try
 * would start after the retry budget, when the last error is thrown. Every failed try is logged
 * with the variable that points at the server and where it points (credentials redacted), so an
 * operator sees at once which setting is wrong.
 *
 * Invariants: at least one try is made whatever the budget; no pause ends past the deadline; the
 * clock and the sleep are injected, so the policy is tested without waiting.
 */

export interface BackoffPolicy {
  /** The pause after the first failure, before jitter. */
  initialDelayMs: number;
  /** Each next pause is this many times the previous one (before jitter), up to maxDelayMs. */
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 250, factor: 2, maxDelayMs: 5_000 };

/** The pause after failed try number `attempt` (1 for the first): full jitter in [0, capped exponential]. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  // Never 0 in a row of tight retries: at least a tenth of the ceiling.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}

export interface RetryLog {
  warn(fields: object, message: string): void;
}

export interface StartupTarget {
  /** What is being reached, for people: "MongoDB". */
  what: string;
  /** The environment variable that says where, and its value as safe to log. */
  variable: string;
  pointsAt: string;
}

export interface RetryOptions {
  budgetMs: number;
  log?: RetryLog;
  policy?: BackoffPolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `connect` until it resolves or the budget is spent (then its last error is thrown, naming the variable). */
export async function retryStartup<T>(target: StartupTarget, connect: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const deadline = now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const delay = backoffDelayMs(attempt, policy, options.random);
      const giveUp = now() + delay > deadline;
      options.log?.warn(
        { variable: target.variable, pointsAt: target.pointsAt, attempt, retryInMs: giveUp ? null : delay, err: error },
        giveUp ? `cannot reach ${target.what} (${target.variable}=${target.pointsAt}); giving up` : `cannot reach ${target.what} (${target.variable}=${target.pointsAt}); retrying`,
      );
      if (giveUp) throw new StartupUnreachableError(target, attempt, error);
      await sleep(delay);
    }
  }
}

export class StartupUnreachableError extends Error {
  constructor(
    readonly target: StartupTarget,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`cannot reach ${target.what} at ${target.variable}=${target.pointsAt} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StartupUnreachableError';
  }
}
