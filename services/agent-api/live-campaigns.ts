/**
 * Live query delivery: which campaigns wait for which host, from the campaign events in the log.
 * Each targeted host gets a campaign's query once on its next distributed/read (again only if it
 * has not answered a minute later), until the campaign ends or expires. Its answer goes to the
 * campaign-results topic, keyed by campaign id; answers to campaigns that did not target the
 * host, or that it already answered, are dropped.
 *
 * Invariant: a host stops being asked a campaign only once its answer is durable on the bus. If
 * producing the answer fails (the host gets a 5xx), the campaign is handed to the host again at
 * its very next distributed/read, not a minute later.
 *
 * Invariant: a host that answered is not asked again by this instance, nor, once the results
 * gateway recorded the answer, by any other instance or after a restart: the recorded results
 * (the read store's campaign_results, at most one per campaign and host) are the durable answered
 * set, and answered-sync.ts feeds them in through `answeredElsewhere` (at start, before the API
 * serves, then every few seconds). Between an answer and its recording, another instance may
 * still ask the host once; the recorder keeps the first answer and drops the second.
 *
 * The answer is produced as an envelope (header) and the rows' JSON text (value), written here
 * once from the rows the agent API checked: nothing downstream parses or re-encodes the rows.
 */
import { CAMPAIGN_RESULTS_TOPIC, campaignResultMessage, type CampaignResultEnvelope } from '../../shared/campaigns/campaign-results-topic';
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, type CampaignCreated, type CampaignEnded } from '../../shared/domain/campaigns/campaign-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import type { HostRecord } from './agent-view';
import type { LiveQueries, Row } from './distributed';

const HAND_OUT_AGAIN_AFTER_MS = 60_000;
const NOTHING_PENDING: ReadonlyMap<number, string> = new Map();

/** A running campaign as a snapshot holds it: who has yet to answer, and when each was handed it (0: not yet). */
export interface LiveCampaignSnapshot {
  id: number;
  sql: string;
  targets: number[];
  expiresAt: number;
  waiting: Array<[hostId: number, handedOutAt: number]>;
}

interface LiveCampaign {
  sql: string;
  targets: ReadonlySet<number>;
  expiresAt: number;
}

export class LiveCampaigns implements LiveQueries {
  private readonly campaigns = new Map<number, LiveCampaign>();
  /** Host id → campaign id → when it was handed out (0: not yet). */
  private readonly waiting = new Map<number, Map<number, number>>();

  constructor(private readonly bus: ResultsBus) {}

  /** Follows campaign events (called by the agent view for every event of the log). */
  apply(event: RecordedEvent): void {
    if (event.type === CAMPAIGN_CREATED) {
      const data = event.data as CampaignCreated;
      if (this.campaigns.has(data.id)) return;
      this.campaigns.set(data.id, { sql: data.query, targets: new Set(data.target_host_ids), expiresAt: Date.parse(data.expires_at) });
      for (const hostId of data.target_host_ids) {
        let forHost = this.waiting.get(hostId);
        if (!forHost) this.waiting.set(hostId, (forHost = new Map()));
        forHost.set(data.id, 0);
      }
    } else if (event.type === CAMPAIGN_ENDED) {
      const data = event.data as CampaignEnded;
      const campaign = this.campaigns.get(data.id);
      if (!campaign) return;
      this.campaigns.delete(data.id);
      for (const hostId of campaign.targets) this.forget(hostId, data.id);
    }
  }

  /** The campaigns still running at `now`, as plain data (expired ones are left out). */
  exportRunning(now: number): LiveCampaignSnapshot[] {
    const running: LiveCampaignSnapshot[] = [];
    for (const [id, campaign] of this.campaigns) {
      if (campaign.expiresAt <= now) continue;
      const waiting: Array<[number, number]> = [];
      for (const hostId of campaign.targets) {
        const handedOutAt = this.waiting.get(hostId)?.get(id);
        if (handedOutAt !== undefined) waiting.push([hostId, handedOutAt]);
      }
      running.push({ id, sql: campaign.sql, targets: [...campaign.targets], expiresAt: campaign.expiresAt, waiting });
    }
    return running;
  }

  /** Takes the campaigns a snapshot holds (before the view follows the log on). */
  restore(campaigns: readonly LiveCampaignSnapshot[]): void {
    for (const campaign of campaigns) {
      this.campaigns.set(campaign.id, { sql: campaign.sql, targets: new Set(campaign.targets), expiresAt: campaign.expiresAt });
      for (const [hostId, handedOutAt] of campaign.waiting) {
        let forHost = this.waiting.get(hostId);
        if (!forHost) this.waiting.set(hostId, (forHost = new Map()));
        forHost.set(campaign.id, handedOutAt);
      }
    }
  }

  private forget(hostId: number, campaignId: number): void {
    const forHost = this.waiting.get(hostId);
    if (!forHost) return;
    forHost.delete(campaignId);
    if (forHost.size === 0) this.waiting.delete(hostId);
  }

  /** Campaigns that have neither ended nor expired. */
  runningCount(now: number): number {
    let running = 0;
    for (const campaign of this.campaigns.values()) if (campaign.expiresAt > now) running++;
    return running;
  }

  pendingFor(host: HostRecord, now: number): ReadonlyMap<number, string> {
    const forHost = host.state.id === null ? undefined : this.waiting.get(host.state.id);
    if (!forHost) return NOTHING_PENDING; // most check-ins: no campaign waits for the host
    const pending = new Map<number, string>();
    for (const [campaignId, handedOutAt] of forHost) {
      const campaign = this.campaigns.get(campaignId);
      if (!campaign || campaign.expiresAt <= now) {
        forHost.delete(campaignId);
        continue;
      }
      if (handedOutAt !== 0 && now - handedOutAt < HAND_OUT_AGAIN_AFTER_MS) continue;
      forHost.set(campaignId, now);
      pending.set(campaignId, campaign.sql);
    }
    if (forHost.size === 0) this.waiting.delete(host.state.id!);
    return pending;
  }

  async recordAnswer(host: HostRecord, campaignId: number, rows: Row[], error: string | null): Promise<void> {
    const hostId = host.state.id;
    const campaign = this.campaigns.get(campaignId);
    if (hostId === null || !campaign || !campaign.targets.has(hostId)) return;
    if (!this.waiting.get(hostId)?.has(campaignId)) return;
    const envelope: CampaignResultEnvelope = {
      campaign_id: campaignId,
      host: { id: hostId, hostname: host.state.facts.hostname ?? '', display_name: host.state.facts.computer_name || host.state.facts.hostname || '' },
      error,
      answered_at: new Date().toISOString(),
    };
    try {
      await this.bus.produce(CAMPAIGN_RESULTS_TOPIC, [campaignResultMessage(envelope, JSON.stringify(rows))]);
    } catch (produceError) {
      this.askAgain(hostId, campaignId);
      throw produceError;
    }
    this.forget(hostId, campaignId);
  }

  /** Ids of the campaigns still live (created, not ended), for answered-sync.ts. */
  liveCampaignIds(): number[] {
    return [...this.campaigns.keys()];
  }

  /** The host's answer to the campaign is recorded (by any instance): never hand it out to the host again. */
  answeredElsewhere(hostId: number, campaignId: number): void {
    this.forget(hostId, campaignId);
  }

  /** Marks a campaign as not handed out to the host, so its next distributed/read gets it. */
  private askAgain(hostId: number, campaignId: number): void {
    const forHost = this.waiting.get(hostId);
    if (forHost?.has(campaignId)) forHost.set(campaignId, 0);
  }
}
