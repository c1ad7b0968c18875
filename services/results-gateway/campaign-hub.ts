/**
 * This instance's watchers, by campaign. Recorded results (from this instance's recorder or
 * relayed from another's) are encoded once per result and handed to every watcher of their
 * campaign. While a campaign has watchers, its doc and recorded count are re-read every
 * `campaignPollMs`: a campaign that ended makes its watchers catch up and finish, and a watcher
 * that fell behind the store without receiving anything (a relayed message missed) catches up.
 */
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import { isFinalCampaignStatus, type CampaignDoc } from '../../shared/read-models/read-model-types';
import { CampaignWatcher } from './campaign-watcher';
import { resultFrame } from './gateway-messages';
import type { CampaignResultsStore, RecordedResult } from '../../shared/campaigns/campaign-results-store';
import type { CampaignLookup } from './campaign-lookup';
import type { WatcherConnection } from './watcher-connection';

export interface CampaignHubOptions {
  campaigns: CampaignLookup;
  store: CampaignResultsStore;
  maxWatcherBufferBytes: number;
  watcherStallMs: number;
  campaignPollMs: number;
  logger: Logger;
  metrics: Metrics;
}

class CampaignChannel {
  readonly watchers = new Set<CampaignWatcher>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    public campaign: CampaignDoc,
    private readonly options: CampaignHubOptions,
  ) {
    this.timer = setInterval(() => void this.poll(), options.campaignPollMs);
    this.timer.unref();
  }

  deliver(results: RecordedResult[]): void {
    const frames = results.map(resultFrame);
    for (const watcher of this.watchers) watcher.deliver(results, frames);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [campaign, recorded] = await Promise.all([
        this.options.campaigns.getCampaign(this.campaign.id),
        this.options.store.recordedCount(this.campaign.id),
      ]);
      const ended = campaign !== null && isFinalCampaignStatus(campaign.status) && !isFinalCampaignStatus(this.campaign.status);
      if (campaign) this.campaign = campaign;
      for (const watcher of this.watchers) {
        if (watcher.looksStuck(recorded) || ended) watcher.catchUp();
      }
    } catch (error) {
      this.options.logger.warn({ err: error, campaignId: this.campaign.id }, 'polling a watched campaign failed');
    } finally {
      this.polling = false;
    }
  }
}

export class CampaignHub {
  private readonly channels = new Map<number, CampaignChannel>();
  private readonly watchersGauge;
  private readonly overflowsTotal;

  constructor(private readonly options: CampaignHubOptions) {
    this.watchersGauge = options.metrics.gauge({ name: 'results_gateway_watchers', help: 'Watchers following a campaign on this instance' });
    this.overflowsTotal = options.metrics.counter({
      name: 'results_gateway_watcher_overflows_total',
      help: 'Watchers cut off because their backlog exceeded the limit',
    });
  }

  /** Hands recorded results (in seq order per campaign) to the watchers of their campaigns. */
  publish(results: RecordedResult[]): void {
    let start = 0;
    for (let i = 1; i <= results.length; i++) {
      if (i === results.length || results[i].campaign_id !== results[start].campaign_id) {
        const channel = this.channels.get(results[start].campaign_id);
        if (channel) channel.deliver(start === 0 && i === results.length ? results : results.slice(start, i));
        start = i;
      }
    }
  }

  /** Starts a watcher of the campaign on the connection: totals, replay, then live results. */
  watch(connection: WatcherConnection, campaign: CampaignDoc): CampaignWatcher {
    let channel = this.channels.get(campaign.id);
    if (!channel) {
      channel = new CampaignChannel(campaign, this.options);
      this.channels.set(campaign.id, channel);
    } else {
      channel.campaign = campaign;
    }
    const joined = channel;
    const watcher = new CampaignWatcher(connection, campaign.id, {
      campaign: () => joined.campaign,
      store: this.options.store,
      maxBufferBytes: this.options.maxWatcherBufferBytes,
      stallMs: this.options.watcherStallMs,
      onStop: (stopped, overflowed) => this.detach(joined, stopped, overflowed),
      onFailure: (error) => this.options.logger.error({ err: error, campaignId: campaign.id }, 'delivering to a watcher failed'),
    });
    channel.watchers.add(watcher);
    this.watchersGauge.inc();
    watcher.start();
    return watcher;
  }

  close(): void {
    for (const channel of [...this.channels.values()]) {
      for (const watcher of [...channel.watchers]) watcher.stop();
      channel.close();
    }
    this.channels.clear();
  }

  private detach(channel: CampaignChannel, watcher: CampaignWatcher, overflowed: boolean): void {
    if (!channel.watchers.delete(watcher)) return;
    this.watchersGauge.dec();
    if (overflowed) {
      this.overflowsTotal.inc();
      this.options.logger.warn({ campaignId: watcher.campaignId }, 'watcher too slow: disconnected');
    }
    if (channel.watchers.size === 0 && this.channels.get(watcher.campaignId) === channel) {
      channel.close();
      this.channels.delete(watcher.campaignId);
    }
  }
}
