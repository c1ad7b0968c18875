/**
 * One watcher of one campaign: sends totals, every stored result in seq order, then live ones,
 * and the status; never the same result twice, never out of order.
 *
 * Delivery is by seq (the recorder's arrival order): a result whose seq was already sent is
 * skipped (replay and live overlap, or a result arriving both locally and through the relay); a
 * live result beyond the next seq means some were missed, and they are read from the store first.
 * Work runs one task at a time (a replay, a catch-up, a live batch), so live results that arrive
 * during a replay wait behind it.
 *
 * Overflow policy (slow watchers): a watcher's backlog is what its transport has not written yet
 * plus the live results waiting behind a replay. When it exceeds `maxBufferBytes`, the watcher is
 * cut off: it gets an `error` frame ("watcher too slow ...") and its connection is closed with
 * code 4008 (reason "watcher too slow"). Nothing else waits for it: the recorder and the other
 * watchers go on. Results are stored, so the client can reconnect, select the campaign again and
 * get everything from the store. A replay itself waits for the backlog to drain below half the
 * limit between results rather than overflowing; a replay that waits without the backlog going
 * down for `stallMs` (the watcher stopped reading) is cut off the same way, so that nothing
 * (the stored results it holds, its connection) is held for a watcher that does not read.
 */
import type { CampaignResultsStore, RecordedResult } from '../../shared/campaigns/campaign-results-store';
import { isFinalCampaignStatus, type CampaignDoc } from '../../shared/read-models/read-model-types';
import { errorFrame, frameOf, resultFrame, type CampaignStatusData, type OutgoingFrame } from './gateway-messages';
import type { WatcherConnection } from './watcher-connection';

export const OVERFLOW_CLOSE_CODE = 4008;
export const OVERFLOW_CLOSE_REASON = 'watcher too slow';
/** Status frames while results stream in are sent at most this often (finished at once). */
const STATUS_INTERVAL_MS = 250;
const DRAIN_POLL_MS = 10;

export interface WatcherContext {
  /** The campaign as last read (its status changes while it runs). */
  campaign(): CampaignDoc;
  store: CampaignResultsStore;
  maxBufferBytes: number;
  /** A replay that cannot send for this long is cut off. */
  stallMs: number;
  /** Called once when the watcher stops (unselected, closed or cut off). */
  onStop(watcher: CampaignWatcher, overflowed: boolean): void;
  onFailure(error: unknown): void;
}

type Task = { kind: 'catch-up' } | { kind: 'live'; results: RecordedResult[]; frames: OutgoingFrame[]; bytes: number };

export class CampaignWatcher {
  private lastSentSeq = 0;
  private readonly tasks: Task[] = [];
  private running = false;
  private pendingBytes = 0;
  private stopped = false;
  private finishedSent = false;
  /** Set by a catch-up that ran while the campaign was over: nothing more is coming. */
  private caughtUpAfterEnd = false;
  private statusTimer: NodeJS.Timeout | undefined;
  /** lastSentSeq at the previous reconciliation, to tell a stuck watcher from a busy one. */
  private seqAtLastCheck = -1;

  constructor(
    readonly connection: WatcherConnection,
    readonly campaignId: number,
    private readonly context: WatcherContext,
  ) {}

  get sentSeq(): number {
    return this.lastSentSeq;
  }

  /** Sends the totals and replays the stored results, then follows live ones. */
  start(): void {
    this.connection.send(frameOf({ type: 'totals', data: this.context.campaign().totals }));
    this.enqueue({ kind: 'catch-up' });
  }

  /** Live results of this campaign, in seq order, with their frames. */
  deliver(results: RecordedResult[], frames: OutgoingFrame[]): void {
    if (this.stopped) return;
    let bytes = 0;
    for (const frame of frames) bytes += frame.size;
    this.pendingBytes += bytes;
    if (this.isOverflowing()) return this.overflow();
    this.enqueue({ kind: 'live', results, frames, bytes });
  }

  /** Reads what the store has beyond what was sent (the campaign ended, or the watcher seems stuck). */
  catchUp(): void {
    if (!this.stopped) this.enqueue({ kind: 'catch-up' });
  }

  /** True when nothing was sent since the previous call although the store holds more. */
  looksStuck(recordedCount: number): boolean {
    const stuck = this.lastSentSeq < recordedCount && this.lastSentSeq === this.seqAtLastCheck;
    this.seqAtLastCheck = this.lastSentSeq;
    return stuck;
  }

  stop(): void {
    this.end(false);
  }

  private enqueue(task: Task): void {
    this.tasks.push(task);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.tasks.length > 0 && !this.stopped) {
        const task = this.tasks.shift()!;
        if (task.kind === 'live') {
          this.pendingBytes -= task.bytes;
          await this.sendLive(task.results, task.frames);
        } else {
          await this.sendStored(false);
          if (isFinalCampaignStatus(this.context.campaign().status)) this.caughtUpAfterEnd = true;
        }
        if (this.stopped) return;
        if (this.isOverflowing()) return this.overflow();
        if (task.kind === 'catch-up') this.sendStatus();
        else this.scheduleStatus();
      }
    } catch (error) {
      this.context.onFailure(error);
      this.connection.send(errorFrame('reading the stored results failed; select the campaign again'));
    } finally {
      this.running = false;
    }
  }

  private async sendLive(results: RecordedResult[], frames: OutgoingFrame[]): Promise<void> {
    for (let i = 0; i < results.length && !this.stopped; i++) {
      const seq = results[i].seq;
      if (seq <= this.lastSentSeq) continue;
      if (seq > this.lastSentSeq + 1) await this.sendStored(true, seq);
      if (seq === this.lastSentSeq + 1) this.send(seq, frames[i]);
    }
  }

  /** Sends stored results after lastSentSeq (below `beforeSeq` if given), in order. */
  private async sendStored(fillingGap: boolean, beforeSeq = Infinity): Promise<void> {
    const stored = await this.context.store.resultsAfter(this.campaignId, this.lastSentSeq);
    for (const result of stored) {
      if (this.stopped || result.seq >= beforeSeq) return;
      if (result.seq !== this.lastSentSeq + 1) continue;
      if (!fillingGap) await this.waitForDrain();
      if (this.stopped) return;
      this.send(result.seq, resultFrame(result));
    }
  }

  private send(seq: number, frame: OutgoingFrame): void {
    this.connection.send(frame);
    this.lastSentSeq = seq;
  }

  /** Invariant: returns once the backlog is under half the limit, or the watcher stopped (cut off included). */
  private async waitForDrain(): Promise<void> {
    let lowest = Infinity;
    let progressAt = Date.now();
    while (!this.stopped && this.connection.bufferedBytes() > this.context.maxBufferBytes / 2) {
      if (this.isOverflowing()) return this.overflow();
      const buffered = this.connection.bufferedBytes();
      if (buffered < lowest) {
        lowest = buffered;
        progressAt = Date.now();
      } else if (Date.now() - progressAt >= this.context.stallMs) {
        return this.overflow(`${buffered} bytes waited ${this.context.stallMs} ms without being read`);
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  private isOverflowing(): boolean {
    return this.connection.bufferedBytes() + this.pendingBytes > this.context.maxBufferBytes;
  }

  private statusData(): CampaignStatusData {
    const expected = this.context.campaign().totals.online;
    const finished = this.lastSentSeq >= expected || this.caughtUpAfterEnd;
    return { expected_results: expected, actual_results: this.lastSentSeq, status: finished ? 'finished' : 'pending' };
  }

  private scheduleStatus(): void {
    if (this.finishedSent || this.stopped) return;
    if (this.statusData().status === 'finished') return this.sendStatus();
    this.statusTimer ??= setTimeout(() => this.sendStatus(), STATUS_INTERVAL_MS);
  }

  private sendStatus(): void {
    clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    if (this.finishedSent || this.stopped) return;
    const data = this.statusData();
    this.connection.send(frameOf({ type: 'status', data }));
    if (data.status === 'finished') this.finishedSent = true;
  }

  private overflow(problem = `more than ${this.context.maxBufferBytes} bytes were waiting to be sent`): void {
    if (this.stopped) return;
    this.connection.send(
      errorFrame(
        `${OVERFLOW_CLOSE_REASON}: ${problem}; ` +
          'connect again and select the campaign to continue from the stored results',
      ),
    );
    // Ended (as an overflow) before the close: SockJS reports its close at once, which stops the watcher.
    this.end(true);
    this.connection.close(OVERFLOW_CLOSE_CODE, OVERFLOW_CLOSE_REASON);
  }

  private end(overflowed: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.statusTimer);
    this.tasks.length = 0;
    this.pendingBytes = 0;
    this.context.onStop(this, overflowed);
  }
}
