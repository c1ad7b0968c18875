/**
 * Which hosts a campaign targets: Fleet's `selected` resolved against the hosts as they are now.
 * - POST /queries/run selects by ids: `{hosts, labels, teams}`;
 * - POST /queries/run_by_names selects by names: `{hosts: hostnames, labels: label names}`.
 * A host is targeted when any selector matches it (the union, each host once, in id order).
 * An unknown label is a 400 naming every unknown one; unknown host ids, hostnames and team ids
 * select nothing. Whether anything was targeted at all is the caller's question.
 *
 * Served without reading the targeted hosts' documents: a label's or team's hosts are its member
 * entries (ids from index keys), a hostname an index lookup; the totals of a selection that is
 * the whole fleet come from the counters and the presence index, else from each target's presence.
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

/** The hosts a selection targets, in id order, and Fleet's totals of them. */
export interface TargetSet {
  ids: number[];
  totals: CampaignTotals;
}

function unknownLabels(missing: Array<string | number>): DomainError {
  const reason = `unknown label${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`;
  return new DomainError('bad_request', reason, [{ name: 'selected.labels', reason }]);
}

export class CampaignTargets {
  private readonly hosts: HostQueries;

  constructor(private readonly readModels: ReadModels) {
    this.hosts = new HostQueries(readModels);
  }

  private async labels(): Promise<Array<SpecDoc<'label'>>> {
    return this.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find();
  }

  /** The hosts selected by host, label and team ids. */
  async byIds(selected: RunCampaignBody['selected']): Promise<TargetSet> {
    const labels = await this.labels();
    const byId = new Map(labels.map((label) => [label.id, label]));
    const labelIds = selected.labels ?? [];
    const missing = labelIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw unknownLabels(missing);
    const collection = this.readModels.collection<HostDoc>(HOSTS);
    const explicit = await Promise.all((selected.hosts ?? []).map(async (id) => ((await collection.get(String(id))) === null ? [] : [id])));
    const groups = await Promise.all([
      ...labelIds.map((id) => this.labelHosts(byId.get(id)!)),
      ...(selected.teams ?? []).map((team) => this.groupHosts(memberGroup.team(team))),
    ]);
    return this.targetSet([...explicit.flat(), ...groups.flat()]);
  }

  /**
   * The totals of a selection by ids (POST /targets), without listing its hosts when a selected
   * label or team holds the whole fleet (the union is then the fleet).
   */
  async totalsByIds(selected: RunCampaignBody['selected']): Promise<CampaignTotals> {
    const labels = new Map((await this.labels()).map((label) => [label.id, label]));
    const groups = [
      ...(selected.labels ?? []).filter((id) => labels.has(id) && (labels.get(id)!.spec as LabelSpec).label_membership_type !== 'manual').map(memberGroup.label),
      ...(selected.teams ?? []).map(memberGroup.team),
    ];
    const [total, ...sizes] = await Promise.all([this.hosts.counters.get(counterKey.all), ...groups.map((group) => this.hosts.counters.get(group))]);
    if (total > 0 && sizes.includes(total)) return this.wholeFleetTotals(total);
    return (await this.byIds(selected)).totals;
  }

  /** The hosts selected by hostnames and label names. */
  async byNames(selected: RunCampaignByNamesBody['selected']): Promise<TargetSet> {
    const labels = await this.labels();
    const byName = new Map(labels.map((label) => [label.name, label]));
    // An empty name targets nothing (fleetctl sends [""] for a flag it was not given).
    const labelNames = (selected.labels ?? []).filter((name) => name !== '');
    const missing = labelNames.filter((name) => !byName.has(name));
    if (missing.length > 0) throw unknownLabels(missing);
    const hostnames = [...new Set((selected.hosts ?? []).filter((name) => name !== ''))];
    const groups = await Promise.all([...labelNames.map((name) => this.labelHosts(byName.get(name)!)), ...hostnames.map((hostname) => this.byHostname(hostname))]);
    return this.targetSet(groups.flat());
  }

  private async byHostname(hostname: string): Promise<number[]> {
    return (await this.readModels.collection<HostDoc>(HOSTS).findIds({ where: { hostname } })).map(Number);
  }

  private async labelHosts(label: SpecDoc<'label'>): Promise<number[]> {
    const spec = label.spec as LabelSpec;
    if (spec.label_membership_type !== 'manual') return this.groupHosts(memberGroup.label(label.id));
    return (await Promise.all((spec.hosts ?? []).map((hostname) => this.byHostname(hostname)))).flat();
  }

  private async groupHosts(group: string): Promise<number[]> {
    return (await this.readModels.collection(HOST_MEMBERS).findIds({ idPrefix: memberPrefix(group) })).map(hostIdOfMemberKey);
  }

  private async targetSet(selected: number[]): Promise<TargetSet> {
    const ids = [...new Set(selected)].sort((a, b) => a - b);
    return { ids, totals: await this.totalsOf(ids) };
  }

  private async wholeFleetTotals(count: number): Promise<CampaignTotals> {
    const now = Date.now();
    const [status, fresh] = await Promise.all([this.hosts.presence.statusCounts(now), this.hosts.counters.newCount(null, now)]);
    const offline = Math.max(0, count - status.online - status.mia);
    return { count, online: status.online, offline, missing_in_action: status.mia, new: fresh };
  }

  /** Fleet's totals: the whole fleet from counters and the presence index, else per target. */
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
