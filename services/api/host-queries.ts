/**
 * The hosts as Fleet's host endpoints show them: the hosts read model joined with presence
 * (status, seen time), team names, and labels (dynamic from the model, manual by hostname).
 * Reads whole collections and filters in memory: simple and correct; see README's known limits.
 */
import type { HostFacts } from '../../shared/domain/hosts/host-events';
import { hostStatus, isNewHost, type HostStatus } from '../../shared/domain/hosts/host-status';
import type { LabelSpec, PolicySpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import { HOST_PRESENCE, HOSTS, specCollection, type HostDoc, type HostPresenceDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

export interface LabelRef {
  id: number;
  name: string;
}

/** A host as Fleet's host endpoints show it: every fact (empty when unknown) and its status. */
export interface FleetHost extends Omit<HostFacts, 'uptime'> {
  id: number;
  created_at: string;
  updated_at: string;
  last_enrolled_at: string;
  seen_time: string;
  display_name: string;
  display_text: string;
  distributed_interval: number;
  team_id: number | null;
  team_name: string | null;
  status: HostStatus;
  labels: LabelRef[];
}

export interface HostFilters {
  labelId?: number;
  teamId?: number;
  status?: HostStatus | 'new';
  query?: string;
}

interface HostContext {
  labels: Array<SpecDoc<'label'>>;
  teams: Map<number, string>;
  presence: Map<number, HostPresenceDoc>;
  now: number;
}

export class HostQueries {
  constructor(private readonly readModels: ReadModels) {}

  private async context(): Promise<HostContext> {
    const [labels, teams, presence] = await Promise.all([
      this.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find(),
      this.readModels.collection<SpecDoc<'team'>>(specCollection('team')).find(),
      this.readModels.store.collection<HostPresenceDoc>(HOST_PRESENCE).find(),
    ]);
    return {
      labels: labels.sort((a, b) => a.id - b.id),
      teams: new Map(teams.map((team) => [team.id, (team.spec as TeamSpec).name])),
      presence: new Map(presence.map((doc) => [doc.host_id, doc])),
      now: Date.now(),
    };
  }

  private labelsOf(doc: HostDoc, context: HostContext): LabelRef[] {
    const dynamic = new Set(doc.label_ids);
    return context.labels
      .filter((label) => {
        const spec = label.spec as LabelSpec;
        return spec.label_membership_type === 'manual' ? doc.hostname !== undefined && (spec.hosts ?? []).includes(doc.hostname) : dynamic.has(label.id);
      })
      .map((label) => ({ id: label.id, name: label.name }));
  }

  private render(doc: HostDoc, context: HostContext): FleetHost {
    const presence = context.presence.get(doc.id);
    const seenTime = presence?.seen_time ?? doc.last_enrolled_at;
    const interval = presence?.check_in_interval_s ?? 10;
    const displayName = doc.computer_name || doc.hostname || doc.host_identifier;
    return {
      id: doc.id,
      created_at: doc.created_at,
      updated_at: doc.updated_at,
      last_enrolled_at: doc.last_enrolled_at,
      seen_time: seenTime,
      hostname: doc.hostname ?? '',
      display_name: displayName,
      display_text: doc.hostname ?? displayName,
      computer_name: doc.computer_name ?? '',
      uuid: doc.uuid ?? '',
      hardware_serial: doc.hardware_serial ?? '',
      hardware_model: doc.hardware_model ?? '',
      hardware_vendor: doc.hardware_vendor ?? '',
      cpu_brand: doc.cpu_brand ?? '',
      cpu_logical_cores: doc.cpu_logical_cores ?? 0,
      memory: doc.memory ?? 0,
      platform: doc.platform ?? '',
      platform_like: doc.platform_like ?? '',
      os_version: doc.os_version ?? '',
      build: doc.build ?? '',
      osquery_version: doc.osquery_version ?? '',
      primary_ip: doc.primary_ip ?? '',
      primary_mac: doc.primary_mac ?? '',
      distributed_interval: interval,
      team_id: doc.team_id,
      team_name: doc.team_id === null ? null : (context.teams.get(doc.team_id) ?? null),
      status: hostStatus(seenTime, interval * 1000, context.now),
      labels: this.labelsOf(doc, context),
    };
  }

  async list(filters: HostFilters): Promise<FleetHost[]> {
    const [docs, context] = await Promise.all([this.readModels.collection<HostDoc>(HOSTS).find({ sort: { field: 'id', direction: 'asc' } }), this.context()]);
    const needle = filters.query?.toLowerCase();
    return docs
      .filter((doc) => filters.teamId === undefined || doc.team_id === filters.teamId)
      .filter((doc) => filters.status !== 'new' || isNewHost(doc.created_at, context.now))
      .map((doc) => this.render(doc, context))
      .filter((host) => filters.status === undefined || filters.status === 'new' || host.status === filters.status)
      .filter((host) => filters.labelId === undefined || host.labels.some((label) => label.id === filters.labelId))
      .filter((host) => !needle || [host.hostname, host.display_name, host.uuid, host.hardware_serial, host.primary_ip].some((value) => value.toLowerCase().includes(needle)));
  }

  async get(id: number): Promise<(FleetHost & { doc: HostDoc }) | null> {
    const doc = await this.readModels.collection<HostDoc>(HOSTS).get(String(id));
    if (!doc) return null;
    return { ...this.render(doc, await this.context()), doc };
  }

  /**
   * GET /hosts/identifier/{identifier}: Fleet matches a host's osquery host identifier, UUID or
   * hostname exactly (and its node key, which Logbook keeps only hashed in the host's stream, so
   * it is not matched here). The lowest id wins when several hosts match.
   */
  async byIdentifier(identifier: string): Promise<(FleetHost & { doc: HostDoc }) | null> {
    const docs = await this.readModels.collection<HostDoc>(HOSTS).find({ sort: { field: 'id', direction: 'asc' } });
    const doc = docs.find((candidate) => [candidate.host_identifier, candidate.uuid, candidate.hostname].includes(identifier));
    if (!doc) return null;
    return { ...this.render(doc, await this.context()), doc };
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

  /** Policy id → [passing, failing] host counts. */
  async policyCounts(): Promise<Map<number, { passing: number; failing: number }>> {
    const counts = new Map<number, { passing: number; failing: number }>();
    for (const doc of await this.readModels.collection<HostDoc>(HOSTS).find()) {
      for (const [id, passing] of Object.entries(doc.policy_results)) {
        const entry = counts.get(Number(id)) ?? { passing: 0, failing: 0 };
        if (passing) entry.passing++;
        else entry.failing++;
        counts.set(Number(id), entry);
      }
    }
    return counts;
  }
}
