/**
 * Which hosts a campaign targets: Fleet's `selected` resolved against the hosts as they are now.
 * - POST /queries/run selects by ids: `{hosts, labels, teams}`;
 * - POST /queries/run_by_names selects by names: `{hosts: hostnames, labels: label names}`.
 * A host is targeted when any selector matches it (the union, each host once, in id order).
 * An unknown label is a 400 naming every unknown one; unknown host ids, hostnames and team ids
 * select nothing. Whether anything was targeted at all is the caller's question.
 */
import { DomainError } from '../../shared/domain/errors';
import { specCollection, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { RunCampaignBody, RunCampaignByNamesBody } from '../../shared/schemas/campaign-schemas';
import { HostQueries, type FleetHost } from './host-queries';

function unknownLabels(missing: Array<string | number>): DomainError {
  const reason = `unknown label${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`;
  return new DomainError('bad_request', reason, [{ name: 'selected.labels', reason }]);
}

export class CampaignTargets {
  private readonly hosts: HostQueries;

  constructor(private readonly readModels: ReadModels) {
    this.hosts = new HostQueries(readModels);
  }

  /** Label name → id, for every label spec. */
  private async labelsByName(): Promise<Map<string, number>> {
    const labels = await this.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find();
    return new Map(labels.map((label) => [label.name, label.id]));
  }

  /** The hosts selected by host, label and team ids. */
  async byIds(selected: RunCampaignBody['selected']): Promise<FleetHost[]> {
    const hosts = await this.hosts.list({});
    const knownLabels = new Set((await this.labelsByName()).values());
    const labelIds = selected.labels ?? [];
    const missing = labelIds.filter((id) => !knownLabels.has(id));
    if (missing.length > 0) throw unknownLabels(missing);
    const hostIds = new Set(selected.hosts ?? []);
    const labels = new Set(labelIds);
    const teams = new Set(selected.teams ?? []);
    return hosts.filter(
      (host) => hostIds.has(host.id) || host.labels.some((label) => labels.has(label.id)) || (host.team_id !== null && teams.has(host.team_id)),
    );
  }

  /** The hosts selected by hostnames and label names. */
  async byNames(selected: RunCampaignByNamesBody['selected']): Promise<FleetHost[]> {
    const byName = await this.labelsByName();
    // An empty name targets nothing (fleetctl sends [""] for a flag it was not given).
    const labelNames = (selected.labels ?? []).filter((name) => name !== '');
    const missing = labelNames.filter((name) => !byName.has(name));
    if (missing.length > 0) throw unknownLabels(missing);
    const labels = new Set(labelNames.map((name) => byName.get(name)!));
    const hostnames = new Set((selected.hosts ?? []).filter((name) => name !== ''));
    const hosts = await this.hosts.list({});
    return hosts.filter((host) => hostnames.has(host.hostname) || host.labels.some((label) => labels.has(label.id)));
  }
}
