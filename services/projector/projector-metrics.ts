/**
 * `logbook_projector_lag_events`: events of the log after the read models' checkpoint (the current
 * generation's), counted when /metrics is scraped. Counting reads the events past the checkpoint,
 * at most LAG_COUNT_LIMIT of them: the gauge shows that limit when the projector is further behind.
 */
import type { Metrics } from '../../shared/observability/metrics';
import type { EventStore } from '../../shared/ports/event-store';
import type { ReadModels } from '../../shared/read-models/read-models';

export const LAG_COUNT_LIMIT = 10_000;

export function registerProjectorLag(metrics: Metrics, eventStore: Pick<EventStore, 'readAll' | 'headPosition'>, readModels: Pick<ReadModels, 'checkpoint'>): void {
  metrics.gauge({
    name: 'logbook_projector_lag_events',
    help: `Events in the log not yet applied to the read models (at most ${LAG_COUNT_LIMIT}: further behind shows ${LAG_COUNT_LIMIT})`,
    async collect() {
      const checkpoint = await readModels.checkpoint();
      if ((await eventStore.headPosition()) <= checkpoint) return this.set(0);
      this.set((await eventStore.readAll(checkpoint, LAG_COUNT_LIMIT)).length);
    },
  });
}
