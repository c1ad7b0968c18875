/**
 * GET /host_summary as Fleet answers it (server/fleet/hosts.go HostSummary): the hosts counted by
 * status and by platform, from the same host listing GET /hosts serves (host-queries.ts), so the
 * counts always agree with what the host pages show.
 *
 * Invariants: totals_hosts_count = online + offline + mia (every host has exactly one status);
 * new_count counts hosts enrolled in the last day whatever their status; platforms lists each
 * platform a host reports, once, sorted by name, hosts without one under "".
 */
import { BUILTIN_LABELS } from '../../shared/domain/specs/builtin-labels';
import type { FleetHost } from './host-queries';
import { isNewHost } from '../../shared/domain/hosts/host-status';

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

export function summarizeHosts(hosts: readonly FleetHost[], builtinLabels: readonly BuiltinLabelRef[], now: number, teamId?: number): HostSummary {
  const byPlatform = new Map<string, number>();
  const byStatus = { online: 0, offline: 0, mia: 0 };
  let fresh = 0;
  let linux = 0;
  for (const host of hosts) {
    byStatus[host.status]++;
    if (isNewHost(host.created_at, now)) fresh++;
    if (LINUX_PLATFORMS.has(host.platform)) linux++;
    byPlatform.set(host.platform, (byPlatform.get(host.platform) ?? 0) + 1);
  }
  const descriptions = new Map(BUILTIN_LABELS.map((label) => [label.name, label.description]));
  return {
    ...(teamId === undefined ? {} : { team_id: teamId }),
    totals_hosts_count: hosts.length,
    platforms: [...byPlatform].sort(([a], [b]) => a.localeCompare(b)).map(([platform, count]) => ({ platform, hosts_count: count })),
    online_count: byStatus.online,
    offline_count: byStatus.offline,
    mia_count: byStatus.mia,
    new_count: fresh,
    all_linux_count: linux,
    builtin_labels: builtinLabels.map((label) => ({ id: label.id, name: label.name, description: descriptions.get(label.name) ?? '', label_type: 'builtin' })),
  };
}
