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
 *   seq is above the stored count and raises the count to them. Whether a host is already
 *   recorded comes from the in-memory answered set where it knows the campaign (answered-hosts.ts:
 *   campaigns this recorder saw from a count of 0), else from the store.
 * - Dropped (counted in results_gateway_dropped_total by reason): malformed messages, hosts the
 *   campaign did not target, and campaigns still unknown once the message is `campaignWaitMs`
 *   old (the campaign doc may be projected a little after its first results arrive, so the
 *   recorder waits for it that long, holding its partition, which keeps the order).
 * - After storing, the recorded results go to this instance's watchers at once (`onRecorded`)
 *   and, while other gateway instances run (gateway-peers.ts), without holding up the next batch,
 *   to the campaign-results-recorded topic, which the other instances relay to theirs.
 * - Pipelined: a batch is decided while the batches before it are still being written (at most
 *   MAX_WRITES_IN_FLIGHT), on what the store holds plus what those writes will store; writes run
 *   one after another in decision order, each taking every batch decided meanwhile, and the bus
 *   commits a batch's offsets only once its write is stored (the handler resolves with it as
 *   `durable`). A write that fails is retried until it
 *   succeeds or the recorder stops; then it and every batch decided on it are void (not committed,
 *   delivered again).
 * - Why a second writer is harmless: on Kafka, a rebalance does not wait for writes in flight, so
 *   the partition's next owner may decide a batch again while the previous owner's write of it
 *   still runs. What a batch records is a function of the messages and the store (each write is
 *   one transaction, applied in order): both owners decide the same docs under the same ids, or
 *   the later one finds them stored and skips them (raising the count to them).
 */
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, IncomingBatch, PipelinedBatch, ResultsBus } from '../../shared/ports/results-bus';
import { CAMPAIGN_RESULTS_TOPIC } from '../../shared/campaigns/campaign-results-topic';
import { resultId, type CampaignResultsStore, type RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { GatewayConfig } from '../../shared/config/config';
import { campaignSelection, isSelected, selectsOnlyHosts, type CampaignSelection } from '../../shared/domain/campaigns/campaign-events';
import type { CampaignLookup } from './campaign-lookup';
import { readIncomingResult } from './incoming-result';
import { encodeRecordedBatch, RECORDED_RESULTS_TOPIC } from './recorded-results-topic';
import { GatewayPeers } from './gateway-peers';
import { AnsweredHosts } from './answered-hosts';

export const RECORDER_GROUP = 'results-gateway-recorder';
const MAX_CACHED_CAMPAIGNS = 10_000;
const CAMPAIGN_POLL_MS = 50;
const MAX_RELAYS_IN_FLIGHT = 4;
/** Batches decided but not stored yet, at most (the pipeline's depth; they are stored together). */
const MAX_WRITES_IN_FLIGHT = 8;
const FIRST_WRITE_PAUSE_MS = 100;
const MAX_WRITE_PAUSE_MS = 5_000;

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
      recorder.stop();
      await consumer.stop();
      peers.stop();
      await recorder.flushRelays();
    },
  };
}

/** A decided batch whose write is queued or running: later batches are decided on top of it. */
interface InFlightWrite {
  recorded: RecordedResult[];
  /** The recorded results by result id. */
  results: Map<string, RecordedResult>;
  /** Campaign → its count once this batch is stored (the campaigns it changes). */
  counts: Map<number, number>;
  /** `epoch` when it was decided: void if that moved on before it was stored. */
  epoch: number;
  /** Resolves once stored; rejects if the recorder stopped first. */
  stored: Promise<void>;
  settle(error?: unknown): void;
}

class ResultRecorder {
  /** Campaign id → its selection (it never changes once a campaign exists). */
  private readonly targets = new Map<number, CampaignSelection>();
  /** Campaigns whose recorded hosts are all known here: their results are decided without reading the store. */
  private readonly answered = new AnsweredHosts();
  /** Decided batches not stored yet, oldest first (removed once stored). */
  private readonly inFlight: InFlightWrite[] = [];
  /** Decided batches whose write has not started, oldest first: the next write takes them all. */
  private queued: InFlightWrite[] = [];
  private writing = false;
  /** Moves on when a write fails: whatever was decided on the batches in flight is void. */
  private epoch = 0;
  private readonly stopping = new AbortController();
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

  /**
   * Decides what the batch records (reading the store and the batches still being written), queues
   * its write behind the previous ones, and resolves with the write as `durable`: the bus delivers
   * the next batch while this one is written, and commits its offsets only once it is stored.
   */
  async handleBatch(batch: IncomingBatch): Promise<PipelinedBatch | void> {
    while (this.inFlight.length >= MAX_WRITES_IN_FLIGHT) await this.inFlight[0].stored.catch(() => undefined);
    const epoch = this.epoch;
    const decided = await this.decide(batch).catch((error: unknown) => {
      this.answered.forgetAll(); // it may hold decisions of this batch, which is delivered again
      throw error;
    });
    // A write that failed while this batch was being decided voided what it was decided on.
    if (epoch !== this.epoch) {
      this.answered.forgetAll(); // it holds this batch's decisions, which are not going to be written
      throw new Error('an earlier write of recorded results failed; deciding the batch again');
    }
    if (decided.recorded.length === 0 && decided.counts.size === 0) return;
    let settle!: (error?: unknown) => void;
    const stored = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
    stored.catch(() => undefined); // the bus awaits it as `durable`; this only keeps it from being "unhandled"
    const entry: InFlightWrite = { ...decided, epoch, stored, settle };
    this.inFlight.push(entry);
    this.queued.push(entry);
    if (!this.writing) void this.writeQueued();
    if (this.relaysInFlight >= MAX_RELAYS_IN_FLIGHT) await this.relayChain;
    return { durable: entry.stored };
  }

  /** Stops retrying a failing write: what is not stored yet is not committed, and comes again. */
  stop(): void {
    this.stopping.abort();
  }

  private async decide(batch: IncomingBatch): Promise<{ recorded: RecordedResult[]; results: Map<string, RecordedResult>; counts: Map<number, number> }> {
    const { store, config } = this.options;
    const counts = new Map<number, number>();
    const changed = new Map<number, number>();
    const results = new Map<string, RecordedResult>();
    const recorded: RecordedResult[] = [];
    for (const message of batch.messages) {
      const incoming = readIncomingResult(message, config.maxResultBytes);
      if (!incoming.ok) {
        this.drop('malformed', { offset: message.offset, reason: incoming.reason });
        continue;
      }
      const { result } = incoming;
      const campaignId = result.campaign_id;
      const hostId = result.host.id;
      const targets = this.targets.get(campaignId) ?? (await this.targetsOf(campaignId, message.timestamp + config.campaignWaitMs));
      if (!targets) {
        this.drop('unknown_campaign', { campaignId });
        continue;
      }
      const targeted = this.isTargeted(targets, hostId);
      if (!(typeof targeted === 'boolean' ? targeted : await targeted)) {
        this.drop('untargeted_host', { campaignId, hostId });
        continue;
      }
      let count = counts.get(campaignId);
      if (count === undefined) {
        count = this.countBeingWritten(campaignId);
        if (count === undefined) {
          count = await store.recordedCount(campaignId);
          this.answered.storedCount(campaignId, count);
        }
        counts.set(campaignId, count);
      }
      const id = resultId(campaignId, hostId);
      // The answered set when it knows the campaign; else what is being written, then the store.
      const answered = results.has(id) || this.answered.isAnswered(campaignId, hostId);
      const existing = answered !== undefined ? null : (this.resultBeingWritten(id) ?? (await store.getResult(campaignId, hostId)));
      if (answered || existing) {
        if (existing && existing.seq > count) {
          counts.set(campaignId, existing.seq);
          changed.set(campaignId, existing.seq);
        }
        this.drop('duplicate');
        continue;
      }
      count += 1;
      counts.set(campaignId, count);
      changed.set(campaignId, count);
      this.answered.decided(campaignId, hostId, count);
      const recordedResult: RecordedResult = {
        campaign_id: campaignId,
        seq: count,
        host: result.host,
        rows_utf8: result.rows_utf8,
        error: result.error,
        answered_at: result.answered_at,
      };
      results.set(id, recordedResult);
      recorded.push(recordedResult);
    }
    return { recorded, results, counts: changed };
  }

  /** The campaign's count after the batches still being written, if one of them changed it. */
  private countBeingWritten(campaignId: number): number | undefined {
    for (let i = this.inFlight.length - 1; i >= 0; i--) {
      const count = this.inFlight[i].counts.get(campaignId);
      if (count !== undefined) return count;
    }
    return undefined;
  }

  private resultBeingWritten(id: string): RecordedResult | null {
    for (const entry of this.inFlight) {
      const result = entry.results.get(id);
      if (result) return result;
    }
    return null;
  }

  /**
   * Stores the queued batches, all of them in one write (group commit: while a write runs, the
   * batches decided meanwhile queue up for the next), retrying with a growing pause until it
   * succeeds or the recorder stops; then hands their results to the watchers and the relay, in
   * order. Writes run one after another, in the order the batches were decided.
   */
  private async writeQueued(): Promise<void> {
    this.writing = true;
    try {
      while (this.queued.length > 0) {
        const batches = this.queued;
        this.queued = [];
        const recorded = batches.flatMap((entry) => entry.recorded);
        const counts = new Map<number, number>();
        for (const entry of batches) for (const [campaignId, count] of entry.counts) counts.set(campaignId, count);
        try {
          if (batches.some((entry) => entry.epoch !== this.epoch)) throw new Error('an earlier write of recorded results failed');
          await this.storeWithRetry(recorded, counts);
        } catch (error) {
          // Every batch decided on these is void: the queued ones fail too, and batches being
          // decided now are decided again.
          this.epoch += 1;
          this.inFlight.length = 0;
          this.answered.forgetAll();
          for (const entry of [...batches, ...this.queued.splice(0)]) entry.settle(error);
          continue;
        }
        this.inFlight.splice(0, batches.length);
        for (const entry of batches) entry.settle();
        if (recorded.length === 0) continue;
        this.recordedTotal.inc(recorded.length);
        this.options.onRecorded(recorded);
        if (this.peers.exist) this.relay(recorded);
      }
    } finally {
      this.writing = false;
    }
  }

  private async storeWithRetry(recorded: RecordedResult[], counts: Map<number, number>): Promise<void> {
    for (let pauseMs = FIRST_WRITE_PAUSE_MS; ; pauseMs = Math.min(pauseMs * 2, MAX_WRITE_PAUSE_MS)) {
      try {
        return await this.options.store.record(recorded, counts);
      } catch (error) {
        if (this.stopping.signal.aborted) throw error;
        this.options.logger.warn({ err: error }, 'storing recorded results failed; retrying');
        await sleep(pauseMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
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
    await nextTurn();
    await this.relayChain;
  }

  /** The campaign's selection, waiting (polling) until `deadline` for a campaign not yet known. */
  private async targetsOf(campaignId: number, deadline: number): Promise<CampaignSelection | null> {
    const cached = this.targets.get(campaignId);
    if (cached) return cached;
    for (;;) {
      const campaign = await this.options.campaigns.getCampaign(campaignId);
      if (campaign) {
        if (this.targets.size >= MAX_CACHED_CAMPAIGNS) this.targets.clear();
        const targets = campaignSelection(campaign);
        this.targets.set(campaignId, targets);
        return targets;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, CAMPAIGN_POLL_MS)));
    }
  }

  /**
   * Whether the host is in the campaign's selection: by id at once, by label or team from the
   * host's labels and team as projected now (one host read; the agent API asked only the hosts
   * that were members when the campaign was created).
   */
  private isTargeted(selection: CampaignSelection, hostId: number): boolean | Promise<boolean> {
    if (selection.hostIds.has(hostId)) return true;
    const { campaigns } = this.options;
    if (selectsOnlyHosts(selection) || !campaigns.hostGroups) return false;
    return campaigns.hostGroups(hostId).then((groups) => groups !== null && isSelected(selection, hostId, (labelId) => groups.label_ids.includes(labelId), groups.team_id));
  }

  private drop(reason: DropReason, details?: Record<string, unknown>): void {
    this.droppedTotal.inc({ reason });
    if (reason !== 'duplicate') this.options.logger.warn({ reason, ...details }, 'campaign result not recorded');
  }
}
