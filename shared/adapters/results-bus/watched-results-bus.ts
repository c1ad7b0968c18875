/**
 * A results bus whose health is known without asking it, and whose produce cannot hang: every
 * adapter wrapped in the same way (openResultsBus does it).
 *
 * - A ping runs every `pingEveryMs` (timer unref'd), bounded by `timeoutMs`; `problem()` tells
 *   the last outcome at once (null: the last ping succeeded). /healthz and the campaign routes
 *   read it, so neither waits on a dead broker.
 * - `produce` resolves when the adapter acknowledged; it rejects with BusUnavailableError (a 503
 *   for hosts and operators) at once while the last ping failed, and after `timeoutMs` when the
 *   adapter has not answered by then, and also when the adapter refused the messages (any
 *   failure of the bus is a 503, never a 500). A produce given up on may still land later: every consumer
 *   of the bus already takes redelivery (at least once), and a host retries what got a 5xx.
 * - A produce that timed out marks the bus down until the next successful ping, so a burst of
 *   writes during an outage does not each wait the full timeout.
 */
import { DomainError } from '../../domain/errors';
import type { Consumer, ConsumeOptions, OutgoingMessage, ResultsBus } from '../../ports/results-bus';

export class BusUnavailableError extends DomainError {
  constructor(
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super('unavailable', reason, [{ name: 'base', reason }]);
    this.name = 'BusUnavailableError';
  }
}

export interface WatchedResultsBus extends ResultsBus {
  /** Null while the bus answered its last ping (or nothing failed since); else why not. */
  problem(): string | null;
  /** The groups this process consumes now, with their topics (for the consumer lag metric). */
  consumedGroups(): Array<{ groupId: string; topics: string[] }>;
}

export interface WatchOptions {
  timeoutMs: number;
  pingEveryMs?: number;
}

const DEFAULT_PING_EVERY_MS = 2_000;

/** Rejects with BusUnavailableError(`what`...) unless `work` settles within `timeoutMs`. */
export function withinTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusUnavailableError(`results bus: ${what} not answered within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
}

export function watchResultsBus(bus: ResultsBus, options: WatchOptions): WatchedResultsBus {
  let problem: string | null = null;
  let closed = false;
  let pinging = false;
  /** JSON [group id, sorted topics] → consumers running with them. */
  const consumed = new Map<string, number>();
  const ping = async () => {
    if (pinging || closed) return;
    pinging = true;
    try {
      await withinTimeout(bus.ping(), options.timeoutMs, 'ping');
      problem = null;
    } catch (error) {
      problem = `results bus: ${error instanceof BusUnavailableError ? error.reason.replace(/^results bus: /, '') : messageOf(error)}`;
    } finally {
      pinging = false;
    }
  };
  const timer = setInterval(() => void ping(), options.pingEveryMs ?? DEFAULT_PING_EVERY_MS);
  timer.unref();
  void ping();
  return {
    problem: () => problem,
    async produce(topic: string, messages: OutgoingMessage[]): Promise<void> {
      if (problem !== null) throw new BusUnavailableError(problem);
      try {
        await withinTimeout(bus.produce(topic, messages), options.timeoutMs, `produce to "${topic}"`);
      } catch (error) {
        if (closed) throw error;
        // A time-out says the bus is down; any other failure (a message the broker refuses) may
        // be the message's own, so it only prompts a fresh ping.
        if (error instanceof BusUnavailableError) {
          problem = error.reason;
          throw error;
        }
        void ping();
        // A full disk under the in-process bus's journal already says so (StorageUnavailableError).
        if (error instanceof DomainError && error.kind === 'unavailable') throw error;
        // Still the bus's refusal, not the caller's bug: a 503, which hosts retry.
        throw new BusUnavailableError(`results bus: produce to "${topic}" failed: ${messageOf(error)}`, error);
      }
    },
    async consume(consumeOptions: ConsumeOptions): Promise<Consumer> {
      const consumer = await bus.consume(consumeOptions);
      const key = JSON.stringify([consumeOptions.groupId, [...consumeOptions.topics].sort()]);
      consumed.set(key, (consumed.get(key) ?? 0) + 1);
      let stopped = false;
      return {
        stop() {
          if (!stopped) {
            stopped = true;
            const left = (consumed.get(key) ?? 1) - 1;
            if (left > 0) consumed.set(key, left);
            else consumed.delete(key);
          }
          return consumer.stop();
        },
      };
    },
    consumedGroups: () => [...consumed.keys()].map((key) => {
      const [groupId, topics] = JSON.parse(key) as [string, string[]];
      return { groupId, topics };
    }),
    consumerLag: (groupId, topics) => withinTimeout(bus.consumerLag(groupId, topics), options.timeoutMs, 'consumer lag'),
    ensureTopics: (names, partitions, topicOptions) => bus.ensureTopics(names, partitions, topicOptions),
    liveGroups: (prefix) => bus.liveGroups(prefix),
    ping: () => withinTimeout(bus.ping(), options.timeoutMs, 'ping'),
    async close() {
      closed = true;
      clearInterval(timer);
      await bus.close();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
