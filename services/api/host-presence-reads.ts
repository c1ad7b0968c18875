/**
 * Host status from the presence collection's seen_time index (HOST_PRESENCE_INDEXES), never from
 * a pass over every host: a status is a window of seen_time, so the hosts of a status are a range
 * of that index, and their number a count of its keys.
 *
 * Invariants:
 * - windows (statusWindow) use the fleet's check-in interval (the global distributed_interval,
 *   default 10 s) plus Fleet's 60 s buffer; a host's rendered status uses the same interval, so
 *   a listed host's status is the status it was filtered by.
 * - a host whose presence the agent API has not flushed yet (up to 5 s after it enrolled) is
 *   seen at its last enrollment: while the presence collection holds fewer documents than there
 *   are hosts, those hosts are added from the hosts' last_enrolled_at index.
 * - counts are cached for STATUS_COUNTS_TTL_MS: presence itself is written every 5 s, so a
 *   fresher count does not exist.
 */
import { MIA_AFTER_MS, ONLINE_BUFFER_MS, type HostStatus } from '../../shared/domain/hosts/host-status';
import type { AppConfig } from '../../shared/domain/organization/app-config';
import type { FieldRange, ReadCollection } from '../../shared/ports/read-store';
import { HOST_PRESENCE_INDEXES } from '../../shared/read-models/host-read-model';
import { APP_CONFIG_KEY, HOST_PRESENCE, HOSTS, SETTINGS, type HostDoc, type HostPresenceDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

const DEFAULT_INTERVAL_S = 10;
const STATUS_COUNTS_TTL_MS = 1_000;

export type StatusCounts = Record<HostStatus, number>;

export class PresenceReads {
  readonly presence: ReadCollection<HostPresenceDoc>;
  private cachedCounts: { at: number; counts: Promise<StatusCounts> } | null = null;

  constructor(private readonly readModels: ReadModels) {
    this.presence = readModels.store.collection<HostPresenceDoc>(HOST_PRESENCE, { indexes: HOST_PRESENCE_INDEXES });
  }

  /** The fleet's check-in interval in seconds (agent options' distributed_interval). */
  async intervalSeconds(): Promise<number> {
    const config = (await this.readModels.collection<AppConfig>(SETTINGS).get(APP_CONFIG_KEY)) as AppConfig | null;
    const options = (config?.agent_options as { config?: { options?: { distributed_interval?: unknown } } } | null)?.config?.options;
    const interval = options?.distributed_interval;
    return typeof interval === 'number' && interval > 0 ? interval : DEFAULT_INTERVAL_S;
  }

  /** The seen_time range of a status at `now` (ISO strings order as times). */
  statusWindow(status: HostStatus, intervalSeconds: number, now: number): FieldRange {
    const onlineFrom = new Date(now - intervalSeconds * 1000 - ONLINE_BUFFER_MS).toISOString();
    const miaBefore = new Date(now - MIA_AFTER_MS).toISOString();
    if (status === 'online') return { field: 'seen_time', gte: onlineFrom };
    if (status === 'offline') return { field: 'seen_time', gte: miaBefore, lt: onlineFrom };
    return { field: 'seen_time', lt: miaBefore };
  }

  /** Hosts without a presence document yet (just enrolled), by their last enrollment; usually none. */
  private async unflushed(window: FieldRange | null): Promise<number[]> {
    const hosts = this.readModels.collection<HostDoc>(HOSTS);
    const [presenceCount, hostCount] = await Promise.all([this.presence.count(), hosts.count()]);
    if (presenceCount >= hostCount) return [];
    const ids = await hosts.findIds(window === null ? {} : { range: { ...window, field: 'last_enrolled_at' } });
    const present = await Promise.all(ids.map((id) => this.presence.get(id)));
    return ids.filter((_, i) => present[i] === null).map(Number);
  }

  /**
   * One page of the hosts of a status (null: every host) by seen_time, most recent first unless
   * ascending, or (`page` null) all of them. Served by the seen_time index: the page's keys only,
   * unless hosts await their first flush (they come last).
   */
  async idsBySeenTime(status: HostStatus | null, now: number, page: { skip: number; limit: number } | null, descending = true): Promise<number[]> {
    const window = status === null ? null : this.statusWindow(status, await this.intervalSeconds(), now);
    const extra = await this.unflushed(window);
    const query = { ...(window ? { range: window } : {}), sort: { field: 'seen_time', direction: descending ? ('desc' as const) : ('asc' as const) } };
    if (extra.length === 0 && page !== null) return (await this.presence.findIds({ ...query, skip: page.skip, ...(page.limit === Infinity ? {} : { limit: page.limit }) })).map(Number);
    const ids = [...(await this.presence.findIds(query)).map(Number), ...extra];
    return page === null ? ids : ids.slice(page.skip, page.skip + page.limit);
  }

  /** Hosts by status, fleet-wide: index counts (keys only, see countStatuses), cached briefly. */
  async statusCounts(now: number): Promise<StatusCounts> {
    if (this.cachedCounts && now - this.cachedCounts.at < STATUS_COUNTS_TTL_MS) return this.cachedCounts.counts;
    const counts = this.countStatuses(now);
    this.cachedCounts = { at: now, counts };
    counts.catch(() => (this.cachedCounts = null));
    return counts;
  }

  /**
   * The three windows split every seen_time string and every presence document has one, so the
   * online hosts are the documents (the store's entry count) less the offline and MIA ranges:
   * only the two ranges are counted, which in a fleet that checks in are the short ones.
   */
  private async countStatuses(now: number): Promise<StatusCounts> {
    const interval = await this.intervalSeconds();
    const windows = { online: this.statusWindow('online', interval, now), offline: this.statusWindow('offline', interval, now), mia: this.statusWindow('mia', interval, now) };
    const [documents, offline, mia] = await Promise.all([this.presence.count(), this.presence.count({}, windows.offline), this.presence.count({}, windows.mia)]);
    const counts = { online: documents - offline - mia, offline, mia };
    for (const status of ['online', 'offline', 'mia'] as const) counts[status] += (await this.unflushed(windows[status])).length;
    return counts;
  }
}
