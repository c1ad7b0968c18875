/**
 * The retry rule both results bus adapters share: a handler that fails is called again with the
 * same input, after a pause that doubles from FIRST_PAUSE_MS up to MAX_PAUSE_MS, until it succeeds
 * or the consumer gives the partition up (stop, rebalance). Nothing is skipped, so nothing is lost.
 */

const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 5_000;
/** Longest single sleep, so `keepAlive` (Kafka heartbeats) runs often enough while paused. */
const PAUSE_STEP_MS = 500;

export interface RetryControl {
  /** True once the caller must stop retrying (the consumer stops or lost the partition). */
  givingUp(): boolean;
  /**
   * Aborted when `givingUp()` becomes true, to cut a pause short. A signal, not a promise: a
   * pause adds one listener and removes it when it ends, so a consumer that retries for hours
   * holds nothing per pause (a `Promise.race` with a consumer-long promise kept a reaction each).
   */
  gaveUp: AbortSignal;
  /** Runs between attempts and during pauses; may throw to abort (e.g. a rebalance started). */
  keepAlive?(): Promise<void>;
  /** Told of each failure; its own errors are swallowed. */
  onError?(error: Error): void;
}

/** Resolves true once `attempt` succeeded, false if the caller gave up before that. */
export async function retryUntilHandled(
  attempt: () => Promise<void> | void,
  control: RetryControl,
): Promise<boolean> {
  let pauseMs = FIRST_PAUSE_MS;
  for (;;) {
    if (control.givingUp()) return false;
    try {
      await attempt();
      return true;
    } catch (thrown) {
      report(control, asError(thrown));
    }
    await pause(pauseMs, control);
    pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS);
  }
}

async function pause(totalMs: number, control: RetryControl): Promise<void> {
  let remaining = totalMs;
  while (remaining > 0 && !control.givingUp()) {
    const step = Math.min(remaining, PAUSE_STEP_MS);
    await sleep(step, control.gaveUp);
    remaining -= step;
    if (control.keepAlive) await control.keepAlive();
  }
}

function report(control: RetryControl, error: Error): void {
  try {
    control.onError?.(error);
  } catch {
    // onError must not break delivery
  }
}

/** What a batch handler's result says is still running: its `durable` (see the port's "Pipelining"), or undefined. */
export function durableOf(outcome: unknown): Promise<void> | undefined {
  if (typeof outcome !== 'object' || outcome === null || !('durable' in outcome)) return undefined;
  const durable = Promise.resolve((outcome as { durable: unknown }).durable).then(() => undefined);
  durable.catch(() => undefined); // awaited by the commit queue; this only keeps it from being "unhandled"
  return durable;
}

export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`handler failed: ${String(thrown)}`);
}

/** Resolves after `ms`, or once `cancel` is aborted; removes its listener either way. */
export function sleep(ms: number, cancel: AbortSignal): Promise<void> {
  if (cancel.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      cancel.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancel.addEventListener('abort', done, { once: true });
  });
}
