/**
 * `logbook_bus_consumer_lag_messages{group, topic}`: for each consumer group this process runs on
 * the results bus, the messages of each of its topics not committed yet (ResultsBus.consumerLag),
 * asked of the bus when /metrics is scraped. A bus that cannot answer leaves the series out of that
 * scrape (the bus's health says why), rather than failing the whole scrape.
 */
import type { WatchedResultsBus } from '../adapters/results-bus/watched-results-bus';
import type { Metrics } from './metrics';

export function registerBusLag(metrics: Metrics, bus: Pick<WatchedResultsBus, 'consumedGroups' | 'consumerLag' | 'problem'>): void {
  metrics.gauge<'group' | 'topic'>({
    name: 'logbook_bus_consumer_lag_messages',
    help: 'Messages of a topic its consumer group in this process has not committed yet',
    labelNames: ['group', 'topic'],
    async collect() {
      this.reset();
      if (bus.problem() !== null) return;
      await Promise.all(bus.consumedGroups().map(async ({ groupId, topics }) => {
        const lag = await bus.consumerLag(groupId, topics).catch(() => null);
        for (const [topic, messages] of Object.entries(lag ?? {})) this.set({ group: groupId, topic }, messages);
      }));
    },
  });
}
