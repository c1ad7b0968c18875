/**
 * GET /host_summary as Fleet answers it (server/fleet/hosts.go HostSummary): the hosts counted by
 * status and by platform, from the maintained counters and the presence index (host-queries.ts),
 * never from a pass over the hosts, so the counts agree with what the host pages and
 * GET /hosts/count show.
 *
 * Invariants: totals_hosts_count = online + offline + mia (every host has exactly one status);
 * new_count counts hosts enrolled in the last day whatever their status; platforms lists each
 * platform a host reports, once, sorted by name, hosts without one under "".
 */
import { BUILTIN_LABELS } from '../../shared/domain/specs/builtin-labels';

/** Fleet's linux platforms (server/fleet/hosts.go HostLinuxOSs), counted together as all_linux_count. */
const LINUX_PLATFORMS = new Set(['linux', 'ubuntu', 'debian', 'rhel', 'centos', 'sles', 'kali', 'gentoo', 'amzn', 'pop', 'arch', 'linuxmint', 'void', 'nixos', 'endeavouros', 'manjaro', 'opensuse-leap', 'opensuse-tumbleweed']);

export interface HostSummary {
  team_id?: number;
  totals_hosts_count: number;
  platforms: Array<{ platform: string; hosts_count: number }>;
  online_count: number;
  offline_count: number;
  mia_count: number;
  new_count: number;
  all_linux_count: number;
  builtin_labels: Array<{ id: number; name: string; description: string; label_type: 'builtin' }>;
}

export interface BuiltinLabelRef {
  id: number;
  name: string;
}

export interface HostCountsForSummary {
  total: number;
  byPlatform: ReadonlyMap<string, number>;
  byStatus: { online: number; offline: number; mia: number };
  fresh: number;
}

export function summarizeHosts(counts: HostCountsForSummary, builtinLabels: readonly BuiltinLabelRef[], teamId?: number): HostSummary {
  const descriptions = new Map(BUILTIN_LABELS.map((label) => [label.name, label.description]));
  let linux = 0;
  for (const [platform, count] of counts.byPlatform) if (LINUX_PLATFORMS.has(platform)) linux += count;
  return {
    ...(teamId === undefined ? {} : { team_id: teamId }),
    totals_hosts_count: counts.total,
    platforms: [...counts.byPlatform].sort(([a], [b]) => a.localeCompare(b)).map(([platform, count]) => ({ platform, hosts_count: count })),
    online_count: counts.byStatus.online,
    offline_count: counts.byStatus.offline,
    mia_count: counts.byStatus.mia,
    new_count: counts.fresh,
    all_linux_count: linux,
    builtin_labels: builtinLabels.map((label) => ({ id: label.id, name: label.name, description: descriptions.get(label.name) ?? '', label_type: 'builtin' })),
  };
}
