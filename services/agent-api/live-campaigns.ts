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
 * Targets: a campaign's hosts by id, and the members of its labels and teams as this view holds
 * them when it applies the campaign's event (so in log order: a replay targets the same hosts).
 * Known limit: an instance applies its own host appends at once, ahead of the log, so for a host
 * whose labels or team changed through that instance at the very moment the campaign was
 * created, instances may disagree on whether it is targeted.
 *
 * The answer is produced as an envelope (header) and the rows' JSON text (value), written here
 * once from the rows the agent API checked: nothing downstream parses or re-encodes the rows.
 */
import { CAMPAIGN_RESULTS_TOPIC, campaignResultMessage, type CampaignResultEnvelope } from '../../shared/campaigns/campaign-results-topic';
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, campaignSelection, selectsOnlyHosts, type CampaignCreated, type CampaignEnded, type CampaignSelection } from '../../shared/domain/campaigns/campaign-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import type { HostRecord } from './agent-view';
import type { LiveQueries, Row } from './distributed';

const HAND_OUT_AGAIN_AFTER_MS = 60_000;
const NOTHING_PENDING: ReadonlyMap<number, string> = new Map();

/**
 * A running campaign as a snapshot holds it, in proportion to what it names and to the hosts that
 * checked in since, not to the hosts it targets: its hosts by id, its label and team members as
 * packed bits (base64, bit i for host id i), the targeted hosts done with it, and when hosts were
 * handed it.
 */
export interface LiveCampaignSnapshot {
  id: number;
  sql: string;
  expiresAt: number;
  targets: number[];
  members: string | null;
  answered: number[];
  handedOut: Array<[hostId: number, handedOutAt: number]>;
}

/** Bytes by host id (1: targeted) as packed bits in base64, and back. */
export function packMembers(members: Uint8Array): string {
  const bits = new Uint8Array(Math.ceil(members.length / 8));
  for (let id = 0; id < members.length; id += 1) if (members[id] === 1) bits[id >> 3] |= 1 << (id & 7);
  let length = bits.length;
  while (length > 0 && bits[length - 1] === 0) length -= 1; // the same members give the same text
  return Buffer.from(bits.buffer, bits.byteOffset, length).toString('base64');
}

export function unpackMembers(text: string): Uint8Array {
  const bits = Buffer.from(text, 'base64');
  const members = new Uint8Array(bits.length * 8);
  for (let id = 0; id < members.length; id += 1) if (bits[id >> 3] & (1 << (id & 7))) members[id] = 1;
  return members;
}

/**
 * Hosts of a selection in the view as it is at the campaign's event: a byte per host id of the
 * fleet (ids are dense), 1 for a targeted host; null when the selection names hosts only.
 */
export type ResolveSelection = (selection: CampaignSelection) => Uint8Array | null;

/**
 * A campaign's targets, fixed when it is created: its hosts by id and the members of its labels
 * and teams at that point of the log. Answered and handed-out state is kept per campaign, for the
 * hosts it concerns only (a campaign on the whole fleet costs no per-host entries until hosts
 * check in).
 */
interface LiveCampaign {
  sql: string;
  expiresAt: number;
  explicit: ReadonlySet<number>;
  members: Uint8Array | null;
  /** Targeted hosts done with it: answered here, recorded elsewhere, or never to be asked again. */
  answered: Set<number>;
  /** Host id → when it was handed the query (0: to be handed out at its next check-in). */
  handedOut: Map<number, number>;
}

function isTarget(campaign: LiveCampaign, hostId: number): boolean {
  return campaign.explicit.has(hostId) || campaign.members?.[hostId] === 1;
}

function* targetsOf(campaign: LiveCampaign): Generator<number> {
  for (const id of campaign.explicit) yield id;
  const members = campaign.members;
  if (members) for (let id = 0; id < members.length; id += 1) if (members[id] === 1 && !campaign.explicit.has(id)) yield id;
}

export class LiveCampaigns implements LiveQueries {
  /** Campaigns created and not ended (expired ones stay until their end is recorded). */
  private readonly campaigns = new Map<number, LiveCampaign>();

  constructor(
    private readonly bus: ResultsBus,
    private readonly resolve: ResolveSelection = () => null,
  ) {}

  /** Follows campaign events (called by the agent view for every event of the log, after the view applied it). */
  apply(event: RecordedEvent): void {
    if (event.type === CAMPAIGN_CREATED) {
      const data = event.data as CampaignCreated;
      if (this.campaigns.has(data.id)) return;
      const selection = campaignSelection(data);
      const members = selectsOnlyHosts(selection) ? null : this.resolve(selection);
      this.campaigns.set(data.id, { sql: data.query, expiresAt: Date.parse(data.expires_at), explicit: selection.hostIds, members, answered: new Set(), handedOut: new Map() });
    } else if (event.type === CAMPAIGN_ENDED) {
      this.campaigns.delete((event.data as CampaignEnded).id);
    }
  }

  /** The campaigns still running at `now`, as plain data (expired ones are left out). */
  exportRunning(now: number): LiveCampaignSnapshot[] {
    const running: LiveCampaignSnapshot[] = [];
    for (const [id, campaign] of this.campaigns) {
      if (campaign.expiresAt <= now) continue;
      running.push({
        id,
        sql: campaign.sql,
        expiresAt: campaign.expiresAt,
        targets: [...campaign.explicit],
        members: campaign.members === null ? null : packMembers(campaign.members),
        answered: [...campaign.answered],
        handedOut: [...campaign.handedOut],
      });
    }
    return running;
  }

  /** The hosts a running campaign targets, in id order (hosts by id first), for tests and tools. */
  targetsOf(campaignId: number): number[] {
    const campaign = this.campaigns.get(campaignId);
    return campaign ? [...targetsOf(campaign)] : [];
  }

  /** Takes the campaigns a snapshot holds (before the view follows the log on). */
  restore(campaigns: readonly LiveCampaignSnapshot[]): void {
    for (const snapshot of campaigns) {
      this.campaigns.set(snapshot.id, {
        sql: snapshot.sql,
        expiresAt: snapshot.expiresAt,
        explicit: new Set(snapshot.targets),
        members: snapshot.members === null ? null : unpackMembers(snapshot.members),
        answered: new Set(snapshot.answered),
        handedOut: new Map(snapshot.handedOut),
      });
    }
  }

  private forget(hostId: number, campaignId: number): void {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign || !isTarget(campaign, hostId)) return;
    campaign.answered.add(hostId);
    campaign.handedOut.delete(hostId);
  }

  /** Campaigns that have neither ended nor expired. */
  runningCount(now: number): number {
    let running = 0;
    for (const campaign of this.campaigns.values()) if (campaign.expiresAt > now) running++;
    return running;
  }

  /** The running campaigns that target the host and wait for it: a check per campaign, none per other host. */
  pendingFor(host: HostRecord, now: number): ReadonlyMap<number, string> {
    const hostId = host.state.id;
    if (hostId === null || this.campaigns.size === 0) return NOTHING_PENDING; // most check-ins: no campaign runs
    let pending: Map<number, string> | null = null;
    for (const [campaignId, campaign] of this.campaigns) {
      if (campaign.expiresAt <= now || !isTarget(campaign, hostId) || campaign.answered.has(hostId)) continue;
      const handedOutAt = campaign.handedOut.get(hostId) ?? 0;
      if (handedOutAt !== 0 && now - handedOutAt < HAND_OUT_AGAIN_AFTER_MS) continue;
      campaign.handedOut.set(hostId, now);
      (pending ??= new Map()).set(campaignId, campaign.sql);
    }
    return pending ?? NOTHING_PENDING;
  }

  async recordAnswer(host: HostRecord, campaignId: number, rows: Row[], error: string | null): Promise<void> {
    const hostId = host.state.id;
    const campaign = this.campaigns.get(campaignId);
    if (hostId === null || !campaign || !isTarget(campaign, hostId)) return;
    if (campaign.answered.has(hostId)) return;
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
    const campaign = this.campaigns.get(campaignId);
    if (campaign && !campaign.answered.has(hostId)) campaign.handedOut.set(hostId, 0);
  }
}
