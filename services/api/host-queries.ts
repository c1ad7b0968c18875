/**
 * The hosts as Fleet's host endpoints show them, every read served by an index, a group or a
 * maintained counter (host-list.ts, host-counters.ts, host-presence-reads.ts): a page costs what
 * it shows, not what the fleet holds. Rendering (host-render.ts) reads the presence of the hosts
 * shown and the small team and label collections.
 */
import type { PolicySpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import { memberGroup } from '../../shared/read-models/host-read-model';
import { HOSTS, specCollection, type HostDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import { HostCounters } from './host-counters';
import { HostList, type HostFilters, type HostOrder, type PageWindow } from './host-list';
import { PresenceReads } from './host-presence-reads';
import type { HostCountsForSummary } from './host-summary';
import { hostContext, renderHost, type FleetHost, type HostContext } from './host-render';

export type { FleetHost, LabelRef } from './host-render';
export type { HostFilters, HostOrder, PageWindow } from './host-list';

const BY_ID: HostOrder = { key: 'id', descending: false };

export class HostQueries {
  readonly presence: PresenceReads;
  readonly counters: HostCounters;
  readonly hostList: HostList;

  constructor(private readonly readModels: ReadModels) {
    this.presence = new PresenceReads(readModels);
    this.counters = new HostCounters(readModels);
    this.hostList = new HostList(readModels, this.presence, this.counters);
  }

  context(now = Date.now()): Promise<HostContext> {
    return hostContext(this.readModels, this.presence, now);
  }

  /** One page of the hosts matching the filters, in the order asked (host-list.ts). */
  async list(filters: HostFilters, order: HostOrder = BY_ID, window: PageWindow = { skip: 0, limit: Infinity }): Promise<FleetHost[]> {
    const context = await this.context();
    const listed = await this.hostList.page(filters, order, window, context);
    return listed.map(({ doc, presence }) => renderHost(doc, presence, context));
  }

  async count(filters: HostFilters): Promise<number> {
    return this.hostList.count(filters, await this.context());
  }

  async get(id: number): Promise<(FleetHost & { doc: HostDoc }) | null> {
    const doc = await this.readModels.collection<HostDoc>(HOSTS).get(String(id));
    return doc ? this.renderOne(doc) : null;
  }

  /**
   * GET /hosts/identifier/{identifier}: Fleet matches a host's osquery host identifier, UUID or
   * hostname exactly (and its node key, which Logbook keeps only hashed in the host's stream, so
   * it is not matched here). The lowest id wins when several hosts match. Three index lookups.
   */
  async byIdentifier(identifier: string): Promise<(FleetHost & { doc: HostDoc }) | null> {
    const hosts = this.readModels.collection<HostDoc>(HOSTS);
    const found = await Promise.all(['host_identifier', 'uuid', 'hostname'].map((field) => hosts.findIds({ where: { [field]: identifier }, limit: 1_000 })));
    const ids = found.flat().map(Number);
    if (ids.length === 0) return null;
    const doc = await hosts.get(String(Math.min(...ids)));
    return doc ? this.renderOne(doc) : null;
  }

  private async renderOne(doc: HostDoc): Promise<FleetHost & { doc: HostDoc }> {
    const [context, presence] = await Promise.all([this.context(), this.presence.presence.get(String(doc.id))]);
    return { ...renderHost(doc, presence, context), doc };
  }

  async policies(): Promise<Array<SpecDoc<'policy'>>> {
    return (await this.readModels.collection<SpecDoc<'policy'>>(specCollection('policy')).find()).sort((a, b) => a.id - b.id);
  }

  /** The policies that apply to a host: the global ones (no team) and its team's. */
  async policiesOf(host: FleetHost): Promise<Array<SpecDoc<'policy'>>> {
    return (await this.policies()).filter((policy) => {
      const team = (policy.spec as PolicySpec).team;
      return team === '' || team === host.team_name;
    });
  }

  /** Team name → id (policy specs name their team; GET /policies shows its id). */
  async teamIdsByName(): Promise<Map<string, number>> {
    const teams = await this.readModels.collection<SpecDoc<'team'>>(specCollection('team')).find();
    return new Map(teams.map((team) => [(team.spec as TeamSpec).name, team.id]));
  }

  /**
   * What GET /host_summary counts: counters for the total, platforms and new hosts; statuses from
   * the presence index fleet-wide, or (with a team) by walking the team's hosts. Offline is what
   * is neither online nor MIA, so the statuses always add up to the total.
   */
  async summaryCounts(teamId?: number): Promise<HostCountsForSummary> {
    const now = Date.now();
    const context = await this.context(now);
    const filters: HostFilters = teamId === undefined ? {} : { teamId };
    const [total, byPlatform, fresh] = await Promise.all([this.hostList.count(filters, context), this.counters.byPlatform(teamId), this.counters.newCount(teamId ?? null, now)]);
    const [online, mia] = await Promise.all(
      (['online', 'mia'] as const).map((status) => (teamId === undefined ? this.presence.statusCounts(now).then((counts) => counts[status]) : this.hostList.count({ teamId, status }, context))),
    );
    return { total, byPlatform, fresh, byStatus: { online, mia, offline: Math.max(0, total - online - mia) } };
  }

  /** Hosts per label: a dynamic label's counter, a manual label's hostnames looked up. */
  async labelCounts(labels: ReadonlyArray<SpecDoc<'label'>>): Promise<Map<number, number>> {
    const context = await this.context();
    const counts = await Promise.all(labels.map((label) => this.hostList.count({ labelId: label.id }, context)));
    return new Map(labels.map((label, i) => [label.id, counts[i]]));
  }

  /** Hosts per team, from the counters. */
  async teamCounts(teams: ReadonlyArray<SpecDoc<'team'>>): Promise<Map<number, number>> {
    const counts = await Promise.all(teams.map((team) => this.counters.get(memberGroup.team(team.id))));
    return new Map(teams.map((team, i) => [team.id, counts[i]]));
  }

  /** Policy id → [passing, failing] host counts, from the maintained counters. */
  policyCounts(): Promise<Map<number, { passing: number; failing: number }>> {
    return this.counters.policyCounts();
  }
}
