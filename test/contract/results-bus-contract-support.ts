/**
 * Shared by the results bus contract's files: unique names, bounded waits, and the harness the
 * contract's parts get (the bus opened by the contract, its consumers stopped after each test).
 */
import type { Consumer, IncomingMessage, ResultsBus } from '../../shared/ports/results-bus';

export interface ContractHarness {
  readonly bus: ResultsBus;
  consume(options: Parameters<ResultsBus['consume']>[0]): Promise<Consumer>;
  /** Runs after the test, before its consumers stop (e.g. to release a handler still waiting). */
  onCleanup(cleanup: () => void): void;
}

const WAIT_LIMIT_MS = 20_000;

let nameCounter = 0;
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${nameCounter}`;
}

/** Polls until `condition` holds; fails with `what` (and its current state) after WAIT_LIMIT_MS. */
export async function waitUntil(what: string, condition: () => boolean, state: () => unknown = () => ''): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}; state: ${JSON.stringify(state())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

export const text = (message: IncomingMessage) => message.value.toString('utf8');
