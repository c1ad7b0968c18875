/**
 * The /healthz checks of the servers a service depends on, the same in every service: the event
 * store answers its head position within the time-out, and the results bus answered its last
 * ping (watched-results-bus.ts keeps that, so this check never waits on a dead broker).
 */
import type { EventStore } from '../ports/event-store';
import type { HealthCheck } from './health';

export function eventStoreCheck(store: Pick<EventStore, 'headPosition'>, timeoutMs: number): HealthCheck {
  return {
    name: 'event store',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([store.headPosition(), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export function resultsBusCheck(bus: { problem(): string | null }): HealthCheck {
  return { name: 'results bus', check: () => bus.problem() };
}
