/**
 * A host document as Fleet's host endpoints show it, joined with what only a few documents hold:
 * its presence (read per host shown), the team names and the labels (whole small collections,
 * read once per request). Nothing here reads more hosts than the ones rendered.
 */
import type { HostFacts } from '../../shared/domain/hosts/host-events';
import { hostStatus, type HostStatus } from '../../shared/domain/hosts/host-status';
import type { LabelSpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import { displayName } from '../../shared/read-models/host-read-model';
import { specCollection, type HostDoc, type HostPresenceDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { PresenceReads } from './host-presence-reads';

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

export interface HostContext {
  labels: Array<SpecDoc<'label'>>;
  teams: Map<number, string>;
  intervalSeconds: number;
  now: number;
}

export async function hostContext(readModels: ReadModels, presence: PresenceReads, now = Date.now()): Promise<HostContext> {
  const [labels, teams, intervalSeconds] = await Promise.all([
    readModels.collection<SpecDoc<'label'>>(specCollection('label')).find(),
    readModels.collection<SpecDoc<'team'>>(specCollection('team')).find(),
    presence.intervalSeconds(),
  ]);
  return {
    labels: labels.sort((a, b) => a.id - b.id),
    teams: new Map(teams.map((team) => [team.id, (team.spec as TeamSpec).name])),
    intervalSeconds,
    now,
  };
}

/** Manual labels go by hostname (the spec lists them), dynamic ones by the host's label_ids. */
export function isLabelMember(label: SpecDoc<'label'>, doc: HostDoc): boolean {
  const spec = label.spec as LabelSpec;
  if (spec.label_membership_type === 'manual') return doc.hostname !== undefined && (spec.hosts ?? []).includes(doc.hostname);
  return doc.label_ids.includes(label.id);
}

export function renderHost(doc: HostDoc, presence: HostPresenceDoc | null, context: HostContext): FleetHost {
  const seenTime = presence?.seen_time ?? doc.last_enrolled_at;
  const name = displayName(doc);
  return {
    id: doc.id,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    last_enrolled_at: doc.last_enrolled_at,
    seen_time: seenTime,
    hostname: doc.hostname ?? '',
    display_name: name,
    display_text: doc.hostname ?? name,
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
    distributed_interval: presence?.check_in_interval_s ?? context.intervalSeconds,
    team_id: doc.team_id,
    team_name: doc.team_id === null ? null : (context.teams.get(doc.team_id) ?? null),
    status: hostStatus(seenTime, context.intervalSeconds * 1000, context.now),
    labels: context.labels.filter((label) => isLabelMember(label, doc)).map((label) => ({ id: label.id, name: label.name })),
  };
}
