/**
 * Which hosts a campaign targets: Fleet's `selected` resolved against the hosts as they are now.
 * - POST /queries/run selects by ids: `{hosts, labels, teams}`;
 * - POST /queries/run_by_names selects by names: `{hosts: hostnames, labels: label names}`.
 * A host is targeted when any selector matches it (the union, each host once, in id order).
 * An unknown label is a 400 naming every unknown one; unknown host ids, hostnames and team ids
 * select nothing. Whether anything was targeted at all is the caller's question.
 *
 * A campaign records its selection, not its hosts (campaign-events.ts): hosts chosen one by one
 * (ids, hostnames, manual labels' hostnames) as ids, dynamic labels and teams as their ids, and
 * the totals at creation. So creating one costs what the selection names, not what it holds:
 * - one dynamic label or team, alone: its size is a counter; when that is the whole fleet, the
 *   statuses come from the presence index counts (no host is read);
 * - anything else (several groups, groups and hosts, a group smaller than the fleet): the union
 *   is walked for its totals, keys and presence only (bounded by the targets, never a scan).
 * Who answers is decided where the hosts are known: the agent API resolves the selection against
 * its view at the event's position in the log, the results gateway checks each answer's host.
 */
import type { CampaignTotals } from '../../shared/domain/campaigns/campaign-events';
import { DomainError } from '../../shared/domain/errors';
import { hostStatus, NEW_FOR_MS } from '../../shared/domain/hosts/host-status';
import type { LabelSpec } from '../../shared/domain/specs/spec-types';
import { counterKey, HOST_MEMBERS, hostIdOfMemberKey, memberGroup, memberPrefix } from '../../shared/read-models/host-read-model';
import { HOSTS, specCollection, type HostDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { RunCampaignBody, RunCampaignByNamesBody } from '../../shared/schemas/campaign-schemas';
import { HostQueries } from './host-queries';

/** A selection resolved for a campaign: what it names, and Fleet's totals of the hosts it holds. */
export interface TargetSet {
  hostIds: number[];
  labelIds: number[];
  teamIds: number[];
  totals: CampaignTotals;
}

function unknownLabels(missing: Array<string | number>): DomainError {
  const reason = `unknown label${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`;
  return new DomainError('bad_request', reason, [{ name: 'selected.labels', reason }]);
}

const isManual = (label: SpecDoc<'label'>) => (label.spec as LabelSpec).label_membership_type === 'manual';

export class CampaignTargets {
  private readonly hosts: HostQueries;

  constructor(private readonly readModels: ReadModels) {
    this.hosts = new HostQueries(readModels);
  }

  private async labels(): Promise<Array<SpecDoc<'label'>>> {
    return this.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find();
  }

  /** The selection by host, label and team ids (unknown host ids select nothing). */
  async byIds(selected: RunCampaignBody['selected']): Promise<TargetSet> {
    const labels = await this.labels();
    const byId = new Map(labels.map((label) => [label.id, label]));
    const labelIds = [...new Set(selected.labels ?? [])];
    const missing = labelIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw unknownLabels(missing);
    const collection = this.readModels.collection<HostDoc>(HOSTS);
    const explicit = await Promise.all([...new Set(selected.hosts ?? [])].map(async (id) => ((await collection.get(String(id))) === null ? [] : [id])));
    const manual = await Promise.all(labelIds.filter((id) => isManual(byId.get(id)!)).map((id) => this.manualLabelHosts(byId.get(id)!)));
    return this.selection(
      [...explicit.flat(), ...manual.flat()],
      labelIds.filter((id) => !isManual(byId.get(id)!)),
      [...new Set(selected.teams ?? [])],
    );
  }

  /** The totals of a selection by ids (POST /targets). */
  async totalsByIds(selected: RunCampaignBody['selected']): Promise<CampaignTotals> {
    return (await this.byIds(selected)).totals;
  }

  /** The selection by hostnames and label names. */
  async byNames(selected: RunCampaignByNamesBody['selected']): Promise<TargetSet> {
    const labels = await this.labels();
    const byName = new Map(labels.map((label) => [label.name, label]));
    // An empty name targets nothing (fleetctl sends [""] for a flag it was not given).
    const labelNames = [...new Set((selected.labels ?? []).filter((name) => name !== ''))];
    const missing = labelNames.filter((name) => !byName.has(name));
    if (missing.length > 0) throw unknownLabels(missing);
    const hostnames = [...new Set((selected.hosts ?? []).filter((name) => name !== ''))];
    const chosen = labelNames.map((name) => byName.get(name)!);
    const explicit = await Promise.all([...chosen.filter(isManual).map((label) => this.manualLabelHosts(label)), ...hostnames.map((hostname) => this.byHostname(hostname))]);
    return this.selection(
      explicit.flat(),
      chosen.filter((label) => !isManual(label)).map((label) => label.id),
      [],
    );
  }

  /** The selection and its totals: a lone group from its counter, else the union walked. */
  private async selection(hostIds: number[], labelIds: number[], teamIds: number[]): Promise<TargetSet> {
    const ids = [...new Set(hostIds)].sort((a, b) => a - b);
    const groups = [...labelIds.map(memberGroup.label), ...teamIds.map(memberGroup.team)];
    const selection = { hostIds: ids, labelIds, teamIds };
    const [total, ...sizes] = await Promise.all([this.hosts.counters.get(counterKey.all), ...groups.map((group) => this.hosts.counters.get(group))]);
    // A group holding the whole fleet: the union is the fleet, whatever else is selected.
    if (total > 0 && sizes.includes(total)) return { ...selection, totals: await this.wholeFleetTotals(total) };
    if (groups.length === 0) return { ...selection, totals: await this.totalsOf(ids) };
    const members = await Promise.all(groups.map((group) => this.groupHosts(group)));
    return { ...selection, totals: await this.totalsOf([...new Set([...ids, ...members.flat()])]) };
  }

  private async byHostname(hostname: string): Promise<number[]> {
    return (await this.readModels.collection<HostDoc>(HOSTS).findIds({ where: { hostname } })).map(Number);
  }

  private async manualLabelHosts(label: SpecDoc<'label'>): Promise<number[]> {
    return (await Promise.all(((label.spec as LabelSpec).hosts ?? []).map((hostname) => this.byHostname(hostname)))).flat();
  }

  private async groupHosts(group: string): Promise<number[]> {
    return (await this.readModels.collection(HOST_MEMBERS).findIds({ idPrefix: memberPrefix(group) })).map(hostIdOfMemberKey);
  }

  private async wholeFleetTotals(count: number): Promise<CampaignTotals> {
    const now = Date.now();
    const [status, fresh] = await Promise.all([this.hosts.presence.statusCounts(now), this.hosts.counters.newCount(null, now)]);
    const offline = Math.max(0, count - status.online - status.mia);
    return { count, online: status.online, offline, missing_in_action: status.mia, new: fresh };
  }

  /** Fleet's totals of these hosts (each once): the whole fleet from counters and the presence index, else per target. */
  async totalsOf(ids: number[]): Promise<CampaignTotals> {
    const now = Date.now();
    if (ids.length > 0 && ids.length === (await this.hosts.counters.get(counterKey.all))) return this.wholeFleetTotals(ids.length);
    const [interval, presence, fresh] = await Promise.all([
      this.hosts.presence.intervalSeconds(),
      Promise.all(ids.map((id) => this.hosts.presence.presence.get(String(id)))),
      this.readModels.collection<HostDoc>(HOSTS).findIds({ range: { field: 'created_at', gte: new Date(now - NEW_FOR_MS).toISOString() } }),
    ]);
    const recent = new Set(fresh.map(Number));
    const hosts = this.readModels.collection<HostDoc>(HOSTS);
    const totals = { count: ids.length, online: 0, offline: 0, missing_in_action: 0, new: 0 };
    for (let i = 0; i < ids.length; i += 1) {
      const seen = presence[i]?.seen_time ?? (await hosts.get(String(ids[i])))?.last_enrolled_at ?? null;
      const status = hostStatus(seen, interval * 1000, now);
      if (status === 'mia') totals.missing_in_action += 1;
      else totals[status] += 1;
      if (recent.has(ids[i])) totals.new += 1;
    }
    return totals;
  }
}
