/**
 * Keeps live campaign delivery (live-campaigns.ts) in step with the durable answered set: the
 * results the gateway recorded (shared/campaigns/campaign-results-store.ts), whichever agent API
 * instance received them, before or after a restart.
 *
 * `syncOnce` reads, for every live campaign whose recorded count moved since the last sync, the
 * results recorded since, and marks each answering host as answered. The agent API runs it once
 * before serving (so a restarted instance does not ask hosts that already answered) and then
 * every SYNC_EVERY_MS. A failed read is reported and retried at the next sync; delivery goes on
 * with what is known (an extra hand-out is harmless: the recorder keeps one answer per host).
 */
import type { CampaignResultsStore } from '../../shared/campaigns/campaign-results-store';
import type { LiveCampaigns } from './live-campaigns';

export const SYNC_EVERY_MS = 2_000;

export class AnsweredSync {
  /** Campaign id → the recorded count already applied. */
  private readonly applied = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly live: Pick<LiveCampaigns, 'liveCampaignIds' | 'answeredElsewhere'>,
    private readonly results: Pick<CampaignResultsStore, 'recordedCount' | 'resultsAfter'>,
    private readonly onError: (error: Error) => void,
  ) {}

  syncOnce(): Promise<void> {
    this.syncing = this.syncing.then(() => this.sync());
    return this.syncing;
  }

  start(everyMs = SYNC_EVERY_MS): void {
    this.timer = setInterval(() => void this.syncOnce(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.syncing;
  }

  private async sync(): Promise<void> {
    const live = new Set(this.live.liveCampaignIds());
    for (const campaignId of this.applied.keys()) if (!live.has(campaignId)) this.applied.delete(campaignId);
    for (const campaignId of live) {
      try {
        const seen = this.applied.get(campaignId) ?? 0;
        const recorded = await this.results.recordedCount(campaignId);
        if (recorded <= seen) continue;
        let highest = seen;
        for (const result of await this.results.resultsAfter(campaignId, seen)) {
          this.live.answeredElsewhere(result.host.id, campaignId);
          highest = Math.max(highest, result.seq);
        }
        this.applied.set(campaignId, highest);
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
