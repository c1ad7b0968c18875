/**
 * Which host documents a page of GET /hosts (and /labels/{id}/hosts, /hosts/count) holds, each
 * page answered from one index or group, never by reading every host:
 *
 * 1. `query`: the search index (host-read-model.ts searchTerms): at most MAX_QUERY_MATCHES
 *    hosts, then filtered and sorted in memory.
 * 2. a manual label: its hostnames, through the hostname index.
 * 3. `status` online/offline/mia, or order_key seen_time: the presence seen_time index, most
 *    recently seen first (order_key is not applied with a status; see README known limits); other
 *    filters are checked per candidate, read from the index a chunk at a time until the page is
 *    full, so a page costs the candidates it needs (a count: every host of that status).
 * 4. one group (a dynamic label, a team or a platform) in id order: the group's member entries,
 *    paged in the store's engine.
 * 5. anything else: the hosts collection with the filters as equalities (label, team, platform),
 *    `new` as a created_at range and order_key as the sort; the store serves it from one index
 *    (an equality first), so the cost is bounded by that filter's hosts.
 */
import { isNewHost, NEW_FOR_MS, type HostStatus } from '../../shared/domain/hosts/host-status';
import type { LabelSpec } from '../../shared/domain/specs/spec-types';
import type { FindOptions, Scalar } from '../../shared/ports/read-store';
import {
  HOST_MEMBERS,
  HOST_SEARCH,
  hostIdOfMemberKey,
  hostIdOfSearchKey,
  memberGroup,
  memberPrefix,
  normaliseSearch,
  type HostSortKey,
} from '../../shared/read-models/host-read-model';
import { HOSTS, type HostDoc, type HostPresenceDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import { compareSortValues } from '../../shared/adapters/read-store/query-semantics';
import type { HostCounters } from './host-counters';
import type { PresenceReads } from './host-presence-reads';
import { isLabelMember, type HostContext } from './host-render';
import { hostStatus } from '../../shared/domain/hosts/host-status';

/** A `query` finds at most this many hosts (the first by matched text). */
export const MAX_QUERY_MATCHES = 5_000;
/** A filter matching at least 1/SORT_INDEX_FROM of the fleet is checked along the sort's index instead. */
const SORT_INDEX_FROM = 20;
const CHUNK = 500;

export interface HostFilters {
  labelId?: number;
  teamId?: number;
  platform?: string;
  status?: HostStatus | 'new';
  query?: string;
}

export interface HostOrder {
  key: HostSortKey;
  descending: boolean;
}

export interface PageWindow {
  skip: number;
  limit: number;
}

export interface ListedHost {
  doc: HostDoc;
  presence: HostPresenceDoc | null;
}

export class HostList {
  constructor(
    private readonly readModels: ReadModels,
    private readonly presence: PresenceReads,
    private readonly counters: HostCounters,
  ) {}

  private get hosts() {
    return this.readModels.collection<HostDoc>(HOSTS);
  }

  async page(filters: HostFilters, order: HostOrder, window: PageWindow, context: HostContext): Promise<ListedHost[]> {
    const label = this.label(filters, context);
    if (label === null) return [];
    const bounded = await this.boundedCandidates(filters, label);
    if (bounded !== null) return this.pageOfSet(bounded, filters, label, order, window, context);
    if (this.byPresence(filters, order)) return this.pageByPresence(filters, label, order, window, context);
    const group = singleGroup(filters, label);
    if (group !== null && order.key === 'id') return this.withPresence(await this.docs(await this.groupPage(group, order.descending, window)));
    const query = this.storeQuery(filters, label, context.now);
    const useIndex = (await this.broadFilter(filters, label)) ? order.key : undefined;
    const sort = { field: order.key, direction: order.descending ? ('desc' as const) : ('asc' as const) };
    return this.withPresence(await this.hosts.find({ ...query, sort, ...storeWindow(window), ...(useIndex ? { useIndex } : {}) }));
  }

  /**
   * Whether every group filtered by holds at least 1/SORT_INDEX_FROM of the fleet (counters): then
   * walking the sort's index and checking the filters reads about SORT_INDEX_FROM documents per
   * host shown, fewer than reading the whole group to sort it.
   */
  private async broadFilter(filters: HostFilters, label: SpecDoc<'label'> | undefined): Promise<boolean> {
    const groups = [
      label === undefined ? null : memberGroup.label(label.id),
      filters.teamId === undefined ? null : memberGroup.team(filters.teamId),
      filters.platform === undefined ? null : memberGroup.platform(filters.platform),
    ].filter((group): group is string => group !== null);
    if (groups.length === 0 || filters.status === 'new') return false;
    const [total, ...sizes] = await Promise.all([this.counters.get('all'), ...groups.map((group) => this.counters.get(group))]);
    return Math.min(...sizes) * SORT_INDEX_FROM >= total;
  }

  async count(filters: HostFilters, context: HostContext): Promise<number> {
    const label = this.label(filters, context);
    if (label === null) return 0;
    const bounded = await this.boundedCandidates(filters, label);
    if (bounded !== null) return (await this.pageOfSet(bounded, filters, label, { key: 'id', descending: false }, { skip: 0, limit: Infinity }, context)).length;
    const { status, ...hostFilters } = filters;
    const group = singleGroup(hostFilters, label);
    const onlyGroup = group !== null && Object.keys(hostFilters).filter((key) => hostFilters[key as keyof typeof hostFilters] !== undefined).length === 1;
    if (status === undefined || status === 'new') {
      if (status === undefined && Object.values(hostFilters).every((value) => value === undefined)) return this.counters.get('all');
      if (status === undefined && onlyGroup) return this.counters.get(group!);
      if (status === 'new' && Object.values(hostFilters).every((value) => value === undefined)) return this.counters.newCount(null, context.now);
      if (status === 'new' && filters.teamId !== undefined && Object.values(hostFilters).filter((value) => value !== undefined).length === 1) return this.counters.newCount(filters.teamId, context.now);
      const query = this.storeQuery(filters, label, context.now);
      return this.hosts.count(query.where, query.range);
    }
    if (Object.values(hostFilters).every((value) => value === undefined)) return (await this.presence.statusCounts(context.now))[status];
    // A status and host filters: walk the smaller side (the status's hosts or the group's).
    const statusCount = (await this.presence.statusCounts(context.now))[status];
    if (onlyGroup && (await this.counters.get(group!)) < statusCount) {
      const docs = await this.docs(await this.groupPage(group!, false, { skip: 0, limit: Infinity }));
      const listed = await this.withPresence(docs);
      return listed.filter((host) => statusOf(host, context) === status).length;
    }
    return (await this.pageByPresence(filters, label, { key: 'seen_time', descending: true }, { skip: 0, limit: Infinity }, context)).length;
  }

  /** The label filtered by (undefined: none), or null when the label does not exist. */
  private label(filters: HostFilters, context: HostContext): SpecDoc<'label'> | undefined | null {
    if (filters.labelId === undefined) return undefined;
    return context.labels.find((label) => label.id === filters.labelId) ?? null;
  }

  /** Host ids of a query or manual label (bounded sets), or null when neither applies. */
  private async boundedCandidates(filters: HostFilters, label: SpecDoc<'label'> | undefined): Promise<number[] | null> {
    if (filters.query !== undefined) {
      const needle = normaliseSearch(filters.query);
      const ids = new Set<number>();
      if (needle === '') return null;
      let skip = 0;
      while (ids.size < MAX_QUERY_MATCHES) {
        const keys = await this.readModels.collection(HOST_SEARCH).findIds({ idPrefix: needle, skip, limit: CHUNK });
        for (const key of keys) if (ids.size < MAX_QUERY_MATCHES) ids.add(hostIdOfSearchKey(key));
        if (keys.length < CHUNK) break;
        skip += CHUNK;
      }
      return [...ids];
    }
    if (label && (label.spec as LabelSpec).label_membership_type === 'manual') {
      const hostnames = (label.spec as LabelSpec).hosts ?? [];
      const found = await Promise.all(hostnames.map((hostname) => this.hosts.findIds({ where: { hostname } })));
      return [...new Set(found.flat().map(Number))];
    }
    return null;
  }

  private byPresence(filters: HostFilters, order: HostOrder): boolean {
    return (filters.status !== undefined && filters.status !== 'new') || order.key === 'seen_time';
  }

  /** Filters, sorts and pages a bounded set of hosts in memory. */
  private async pageOfSet(ids: number[], filters: HostFilters, label: SpecDoc<'label'> | undefined, order: HostOrder, window: PageWindow, context: HostContext): Promise<ListedHost[]> {
    const nothingElse = filters.teamId === undefined && filters.platform === undefined && filters.status === undefined && (label === undefined || filters.query === undefined);
    if (nothingElse && order.key === 'id') {
      // Ordered by id alone: only the page's documents are read.
      const sorted = [...ids].sort((a, b) => (order.descending ? b - a : a - b));
      return this.withPresence(await this.docs(sorted.slice(window.skip, window.skip + window.limit)));
    }
    const listed = (await this.withPresence(await this.docs(ids))).filter((host) => matchesFilters(host, filters, label, context));
    const value = (host: ListedHost): unknown => (order.key === 'seen_time' ? (host.presence?.seen_time ?? host.doc.last_enrolled_at) : host.doc[order.key]);
    const sign = order.descending ? -1 : 1;
    listed.sort((a, b) => sign * compareSortValues(value(a), value(b)) || a.doc.id - b.doc.id);
    return listed.slice(window.skip, window.skip + window.limit);
  }

  /** Hosts by seen_time (of a status, or all), checking the other filters per candidate. */
  private async pageByPresence(filters: HostFilters, label: SpecDoc<'label'> | undefined, order: HostOrder, window: PageWindow, context: HostContext): Promise<ListedHost[]> {
    const status = filters.status === 'new' ? undefined : filters.status;
    const descending = order.key === 'seen_time' ? order.descending : true;
    const onlyStatus = filters.teamId === undefined && filters.platform === undefined && label === undefined && filters.status !== 'new';
    const fetch = (page: PageWindow | null): Promise<number[]> => this.presence.idsBySeenTime(status ?? null, context.now, page, descending);
    if (onlyStatus) return this.withPresence(await this.docs(await fetch(window)));
    // Candidates a chunk of the index at a time, until the page is full: the cost is what the
    // page needs (skip + limit matching hosts), not every host of the status.
    const found: ListedHost[] = [];
    let skipped = 0;
    // (Everything at once when all are wanted: a count.)
    const all = window.limit === Infinity ? await fetch(null) : null;
    for (let offset = 0; found.length < window.limit; offset += CHUNK) {
      const candidates = all === null ? await fetch({ skip: offset, limit: CHUNK }) : all.slice(offset, offset + CHUNK);
      if (candidates.length === 0) break;
      const chunk = await this.withPresence(await this.docs(candidates));
      for (const host of chunk) {
        if (!matchesFilters(host, filters, label, context)) continue;
        if (skipped < window.skip) skipped += 1;
        else if (found.length < window.limit) found.push(host);
      }
    }
    return found;
  }

  /** One page of a group's hosts in id order; descending pages count from the group's end. */
  private async groupPage(group: string, descending: boolean, window: PageWindow): Promise<number[]> {
    const members = this.readModels.collection(HOST_MEMBERS);
    if (!descending) return (await members.findIds({ idPrefix: memberPrefix(group), ...storeWindow(window) })).map(hostIdOfMemberKey);
    const size = await this.counters.get(group);
    const end = Math.max(0, size - window.skip);
    const start = window.limit === Infinity ? 0 : Math.max(0, end - window.limit);
    const keys = await members.findIds({ idPrefix: memberPrefix(group), ...storeWindow({ skip: start, limit: end - start }) });
    return keys.map(hostIdOfMemberKey).reverse();
  }

  /** Filters as the hosts collection's fields: equalities, and `new` as a created_at range. */
  private storeQuery(filters: HostFilters, label: SpecDoc<'label'> | undefined, now: number): Pick<FindOptions, 'where' | 'range'> {
    const where: Record<string, Scalar> = {};
    if (label !== undefined) where.label_ids = label.id;
    if (filters.teamId !== undefined) where.team_id = filters.teamId;
    if (filters.platform !== undefined) where.platform = filters.platform;
    const range = filters.status === 'new' ? { field: 'created_at', gte: new Date(now - NEW_FOR_MS).toISOString() } : undefined;
    return { where, ...(range ? { range } : {}) };
  }

  async docs(ids: number[]): Promise<HostDoc[]> {
    const docs = await Promise.all(ids.map((id) => this.hosts.get(String(id))));
    return docs.filter((doc): doc is HostDoc => doc !== null);
  }

  async withPresence(docs: HostDoc[]): Promise<ListedHost[]> {
    const presence = await Promise.all(docs.map((doc) => this.presence.presence.get(String(doc.id))));
    return docs.map((doc, i) => ({ doc, presence: presence[i] }));
  }
}

/** A window as find options (no limit for an unbounded one). */
function storeWindow(window: PageWindow): { skip: number; limit?: number } {
  return window.limit === Infinity ? { skip: window.skip } : window;
}

/** The one group a query filters by (dynamic label, team or platform), if it filters by exactly one and nothing else. */
function singleGroup(filters: HostFilters, label: SpecDoc<'label'> | undefined): string | null {
  if (filters.status !== undefined || filters.query !== undefined) return null;
  const groups = [
    label === undefined ? null : memberGroup.label(label.id),
    filters.teamId === undefined ? null : memberGroup.team(filters.teamId),
    filters.platform === undefined ? null : memberGroup.platform(filters.platform),
  ].filter((group): group is string => group !== null);
  return groups.length === 1 ? groups[0] : null;
}

function statusOf(host: ListedHost, context: HostContext): HostStatus {
  return hostStatus(host.presence?.seen_time ?? host.doc.last_enrolled_at, context.intervalSeconds * 1000, context.now);
}

function matchesFilters(host: ListedHost, filters: HostFilters, label: SpecDoc<'label'> | undefined, context: HostContext): boolean {
  const { doc } = host;
  if (filters.teamId !== undefined && doc.team_id !== filters.teamId) return false;
  if (filters.platform !== undefined && (doc.platform ?? '') !== filters.platform) return false;
  if (label !== undefined && !isLabelMember(label, doc)) return false;
  if (filters.status === 'new') return isNewHost(doc.created_at, context.now);
  if (filters.status !== undefined) return statusOf(host, context) === filters.status;
  return true;
}
