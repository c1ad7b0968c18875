/**
 * POST /targets as Fleet answers it (server/service/targets.go, searchTargetsEndpoint): the hosts,
 * labels and teams whose names match the search text, leaving out the ones already selected, and
 * the status counts of the hosts the current selection targets.
 *
 * Invariants: the selection is resolved exactly as a campaign's (campaign-targets.ts byIds), so
 * targets_count is the number of hosts a live query with this selection would target; the counts
 * add up (targets_count = online + offline + missing_in_action); at most SEARCH_LIMIT hosts are
 * listed (Fleet's search limit), every matching label and team. Hosts are found as GET /hosts'
 * `query` finds them (prefixes of names, UUID, serial, IP; see README known limits), and the
 * counts come from the maintained counters, not from the hosts.
 */
import type { CampaignTotals } from '../../shared/domain/campaigns/campaign-events';
import type { LabelSpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import type { SpecDoc } from '../../shared/read-models/read-model-types';
import type { RunCampaignBody } from '../../shared/schemas/campaign-schemas';
import type { FleetHost } from './host-queries';

export const SEARCH_LIMIT = 10;

export interface TargetSearch {
  query: string;
  selected: RunCampaignBody['selected'];
}

export interface TargetsAnswer {
  targets: { hosts: object[]; labels: object[]; teams: object[] };
  targets_count: number;
  targets_online: number;
  targets_offline: number;
  targets_missing_in_action: number;
}

export interface TargetWorld {
  /** The hosts the search text finds (host-queries.ts, `query`), in id order, at least SEARCH_LIMIT + selected ones. */
  hosts: readonly FleetHost[];
  labels: ReadonlyArray<SpecDoc<'label'>>;
  teams: ReadonlyArray<SpecDoc<'team'>>;
  /** Hosts per label id and per team id (the maintained counters). */
  labelCounts: ReadonlyMap<number, number>;
  teamCounts: ReadonlyMap<number, number>;
  /** The totals of the hosts the selection targets (campaign-targets.ts). */
  targeted: CampaignTotals;
}

const matches = (needle: string, ...values: string[]) => needle === '' || values.some((value) => value.toLowerCase().includes(needle));

export function searchTargets(search: TargetSearch, world: TargetWorld): TargetsAnswer {
  const needle = search.query.trim().toLowerCase();
  const omitHosts = new Set(search.selected.hosts ?? []);
  const omitLabels = new Set(search.selected.labels ?? []);
  const omitTeams = new Set(search.selected.teams ?? []);
  const hosts = world.hosts.filter((host) => !omitHosts.has(host.id)).slice(0, SEARCH_LIMIT);
  const labels = world.labels
    .filter((label) => !omitLabels.has(label.id) && matches(needle, label.name))
    .map((label) => {
      const spec = label.spec as LabelSpec;
      return {
        id: label.id,
        created_at: label.created_at,
        updated_at: label.updated_at,
        name: label.name,
        description: spec.description ?? '',
        query: spec.query ?? '',
        platform: spec.platform ?? '',
        label_type: label.builtin ? 'builtin' : 'regular',
        label_membership_type: spec.label_membership_type ?? 'dynamic',
        display_text: label.name,
        count: world.labelCounts.get(label.id) ?? 0,
      };
    });
  const teams = world.teams
    .filter((team) => !omitTeams.has(team.id) && matches(needle, team.name))
    .map((team) => ({
      id: team.id,
      created_at: team.created_at,
      name: (team.spec as TeamSpec).name,
      description: '',
      display_text: (team.spec as TeamSpec).name,
      count: world.teamCounts.get(team.id) ?? 0,
    }));
  return {
    targets: { hosts: [...hosts], labels, teams },
    targets_count: world.targeted.count,
    targets_online: world.targeted.online,
    targets_offline: world.targeted.offline,
    targets_missing_in_action: world.targeted.missing_in_action,
  };
}
