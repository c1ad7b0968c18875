/**
 * Recording: the one consumer group shared by every gateway instance reads the campaign-results
 * topic and stores each (campaign, host) answer once, durably, with its arrival order number.
 *
 * - One campaign's results share a key, hence a partition, which one group member at a time
 *   reads: the member that owns the partition is the campaign's only writer, so order numbers
 *   (seq = recorded count + 1) need no coordination between instances.
 * - Idempotent: a result already stored for the host (a redelivered message, or the host
 *   answering twice) is skipped, and the first answer stays. The results of a batch are written
 *   before the counts; if the process dies in between, the redelivered batch finds results whose
 *   seq is above the stored count and raises the count to them.
 * - Dropped (counted in results_gateway_dropped_total by reason): malformed messages, hosts the
 *   campaign did not target, and campaigns still unknown once the message is `campaignWaitMs`
 *   old (the campaign doc may be projected a little after its first results arrive, so the
 *   recorder waits for it that long, holding its partition, which keeps the order).
 * - After storing, the recorded results go to this instance's watchers at once (`onRecorded`)
 *   and, while other gateway instances run (gateway-peers.ts), without holding up the next batch,
 *   to the campaign-results-recorded topic, which the other instances relay to theirs.
 */
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import type { Consumer, IncomingBatch, ResultsBus } from '../../shared/ports/results-bus';
import { CAMPAIGN_RESULTS_TOPIC } from '../../shared/campaigns/campaign-results-topic';
import { resultId, type CampaignResultsStore, type RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { GatewayConfig } from '../../shared/config/config';
import type { CampaignLookup } from './campaign-lookup';
import { readIncomingResult } from './incoming-result';
import { encodeRecordedBatch, RECORDED_RESULTS_TOPIC } from './recorded-results-topic';
import { GatewayPeers } from './gateway-peers';

const RECORDER_GROUP = 'results-gateway-recorder';
const MAX_CACHED_CAMPAIGNS = 10_000;
const CAMPAIGN_POLL_MS = 50;
const MAX_RELAYS_IN_FLIGHT = 4;

export type DropReason = 'malformed' | 'unknown_campaign' | 'untargeted_host' | 'duplicate';

export interface ResultRecorderOptions {
  bus: ResultsBus;
  campaigns: CampaignLookup;
  store: CampaignResultsStore;
  config: Pick<GatewayConfig, 'maxResultBytes' | 'campaignWaitMs' | 'instanceId' | 'peersPollMs'>;
  /** Called with each batch's newly recorded results, in order, once they are stored. */
  onRecorded(results: RecordedResult[]): void;
  logger: Logger;
  metrics: Metrics;
}

export async function startResultRecorder(options: ResultRecorderOptions): Promise<Consumer> {
  const peers = await GatewayPeers.start({ bus: options.bus, instanceId: options.config.instanceId, pollMs: options.config.peersPollMs, logger: options.logger });
  const recorder = new ResultRecorder(options, peers);
  const consumer = await options.bus.consume({
    groupId: RECORDER_GROUP,
    topics: [CAMPAIGN_RESULTS_TOPIC],
    fromBeginning: true,
    onBatch: (batch) => recorder.handleBatch(batch),
    onError: (error) => options.logger.warn({ err: error }, 'recording a batch of results failed; retrying'),
  });
  return {
    async stop() {
      await consumer.stop();
      peers.stop();
      await recorder.flushRelays();
    },
  };
}

class ResultRecorder {
  /** Campaign id → its targeted host ids (targets never change once a campaign exists). */
  private readonly targets = new Map<number, Set<number>>();
  private relayChain: Promise<void> = Promise.resolve();
  private relaysInFlight = 0;
  private readonly recordedTotal;
  private readonly droppedTotal;

  constructor(
    private readonly options: ResultRecorderOptions,
    private readonly peers: GatewayPeers,
  ) {
    this.recordedTotal = options.metrics.counter({
      name: 'results_gateway_recorded_total',
      help: 'Host results recorded (each campaign and host once)',
    });
    this.droppedTotal = options.metrics.counter<'reason'>({
      name: 'results_gateway_dropped_total',
      help: 'Messages of the campaign-results topic not recorded, by reason',
      labelNames: ['reason'],
    });
  }

  async handleBatch(batch: IncomingBatch): Promise<void> {
    const { store, config } = this.options;
    const counts = new Map<number, number>();
    const changed = new Map<number, number>();
    const seen = new Set<string>();
    const recorded: RecordedResult[] = [];
    for (const message of batch.messages) {
      const incoming = readIncomingResult(message, config.maxResultBytes);
      if (!incoming.ok) {
        this.drop('malformed', { offset: message.offset, reason: incoming.reason });
        continue;
      }
      const { result } = incoming;
      const campaignId = result.campaign_id;
      const targets = await this.targetsOf(campaignId, message.timestamp + config.campaignWaitMs);
      if (!targets) {
        this.drop('unknown_campaign', { campaignId });
        continue;
      }
      if (!targets.has(result.host.id)) {
        this.drop('untargeted_host', { campaignId, hostId: result.host.id });
        continue;
      }
      let count = counts.get(campaignId);
      if (count === undefined) {
        count = await store.recordedCount(campaignId);
        counts.set(campaignId, count);
      }
      const id = resultId(campaignId, result.host.id);
      const existing = seen.has(id) ? null : await store.getResult(campaignId, result.host.id);
      if (seen.has(id) || existing) {
        if (existing && existing.seq > count) {
          counts.set(campaignId, existing.seq);
          changed.set(campaignId, existing.seq);
        }
        this.drop('duplicate');
        continue;
      }
      seen.add(id);
      count += 1;
      counts.set(campaignId, count);
      changed.set(campaignId, count);
      recorded.push({ ...result, seq: count });
    }
    await store.record(recorded, changed);
    if (recorded.length === 0) return;
    this.recordedTotal.inc(recorded.length);
    // Pushing to watchers and encoding the relay run after the handler returned, while the
    // consumer commits and fetches the next batch (they are CPU work; that is I/O wait). Immediates
    // run in order, so batches still reach the watchers in order.
    setImmediate(() => {
      this.options.onRecorded(recorded);
      if (this.peers.exist) this.relay(recorded);
    });
    if (this.relaysInFlight >= MAX_RELAYS_IN_FLIGHT) await this.relayChain;
  }

  /**
   * Queues the results for the other instances. Relaying is not awaited by the batch (it would
   * put a Kafka round trip in every batch's path): produces run one after another, in order, and
   * the next batch waits only when MAX_RELAYS_IN_FLIGHT are queued. A relay that fails is logged and
   * dropped: the results are stored, and the other instances' hubs notice watchers left behind
   * the stored count and read the store (see campaign-hub.ts).
   */
  private relay(results: RecordedResult[]): void {
    const { bus, config, logger } = this.options;
    const messages = encodeRecordedBatch(results, config.instanceId);
    this.relaysInFlight += 1;
    this.relayChain = this.relayChain
      .then(() => bus.produce(RECORDED_RESULTS_TOPIC, messages))
      .catch((error) => logger.warn({ err: error }, 'relaying recorded results to the other instances failed'))
      .finally(() => (this.relaysInFlight -= 1));
  }

  /** Resolves once every queued relay has been produced (or has failed). */
  async flushRelays(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await this.relayChain;
  }

  /** The campaign's targets, waiting (polling) until `deadline` for a campaign not yet known. */
  private async targetsOf(campaignId: number, deadline: number): Promise<Set<number> | null> {
    const cached = this.targets.get(campaignId);
    if (cached) return cached;
    for (;;) {
      const campaign = await this.options.campaigns.getCampaign(campaignId);
      if (campaign) {
        if (this.targets.size >= MAX_CACHED_CAMPAIGNS) this.targets.clear();
        const targets = new Set(campaign.target_host_ids);
        this.targets.set(campaignId, targets);
        return targets;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, CAMPAIGN_POLL_MS)));
    }
  }

  private drop(reason: DropReason, details?: Record<string, unknown>): void {
    this.droppedTotal.inc({ reason });
    if (reason !== 'duplicate') this.options.logger.warn({ reason, ...details }, 'campaign result not recorded');
  }
}
