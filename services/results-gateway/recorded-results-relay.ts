/**
 * Live fan-out across instances: each instance reads the campaign-results-recorded topic in a
 * consumer group of its own (so every instance sees every recorded result), starting at the end
 * when it first joins, and hands what other instances recorded to its watchers. A result missed
 * here (the instance was down, or joined later) is never lost to a watcher: watchers replay from
 * the store, fill gaps in seq from it, and the hub reconciles watched campaigns with the store.
 */
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { Logger } from '../../shared/observability/logger';
import type { Consumer, ResultsBus } from '../../shared/ports/results-bus';
import { decodeRecordedBatch, ORIGIN_HEADER, RECORDED_RESULTS_TOPIC } from './recorded-results-topic';

export const RELAY_GROUP_PREFIX = 'results-gateway-live-';
export const relayGroupOf = (instanceId: string) => `${RELAY_GROUP_PREFIX}${instanceId}`;

export function startRecordedResultsRelay(options: {
  bus: ResultsBus;
  instanceId: string;
  onRecorded(results: RecordedResult[]): void;
  logger: Logger;
}): Promise<Consumer> {
  return options.bus.consume({
    groupId: relayGroupOf(options.instanceId),
    topics: [RECORDED_RESULTS_TOPIC],
    fromBeginning: false,
    onBatch: (batch) => {
      for (const message of batch.messages) {
        if (message.headers[ORIGIN_HEADER] === options.instanceId) continue;
        const results = decodeRecordedBatch(message);
        if (results.length > 0) options.onRecorded(results);
      }
    },
    onError: (error) => options.logger.warn({ err: error }, 'relaying recorded results failed; retrying'),
  });
}
