/**
 * How the host reads are served without counting or scanning per request (issue 13): the
 * indexes of the hosts and presence collections, the counters the host projection maintains,
 * and the search index over hostname, computer name, UUID, serial and IP. The projector writes
 * what this module defines; services/api/host-*.ts reads it.
 *
 * Invariants:
 * - counters: `host_counts` holds one document `{key, n}` per key of counterKeys, n = how many host
 *   documents have that key; the projection moves a host's keys in the same unit of work that
 *   writes the host document, so counts never disagree with the documents.
 * - members: `host_members` holds one document per (group, host) for the groups of memberGroups.
 * - search: `host_search` holds one document per (term, host), keyed searchKey(term, id); the
 *   terms of a host are searchTerms(doc), so a prefix of any of them finds the host by an id
 *   prefix read (a key range in both stores).
 */
import type { HostDoc } from './read-model-types';

export const HOST_COUNTS = 'host_counts';
export interface HostCountDoc {
  key: string;
  n: number;
}
/**
 * Group membership in host id order: one document per (group, host), keyed memberKey(group, id),
 * for the groups a host is in (memberGroups), so one group's hosts page by an id prefix read.
 */
export const HOST_MEMBERS = 'host_members';
export const memberGroup = {
  label: (label: number) => `label${SEP}${label}`,
  team: (team: number | null) => `team${SEP}${team ?? 'none'}`,
  platform: (platform: string) => `platform${SEP}${platform}`,
};
export function memberGroups(doc: HostDoc | null): string[] {
  if (doc === null) return [];
  return [memberGroup.team(doc.team_id), memberGroup.platform(doc.platform ?? ''), ...doc.label_ids.map(memberGroup.label)];
}
export const memberPrefix = (group: string) => `${group}${SEP}`;
export const memberKey = (group: string, hostId: number) => `${memberPrefix(group)}${padId(hostId)}`;
export const hostIdOfMemberKey = (key: string) => Number(key.slice(key.lastIndexOf(SEP) + 1));
const padId = (hostId: number) => String(hostId).padStart(16, '0');

export const HOST_SEARCH = 'host_search';
export interface HostSearchDoc {
  host_id: number;
}

/** Fleet's order_key values for GET /hosts that Logbook serves, each from an index. */
export const HOST_SORT_KEYS = [
  'id',
  'hostname',
  'display_name',
  'computer_name',
  'platform',
  'os_version',
  'osquery_version',
  'primary_ip',
  'hardware_serial',
  'uuid',
  'memory',
  'created_at',
  'updated_at',
  'last_enrolled_at',
] as const;
export type HostSortKey = (typeof HOST_SORT_KEYS)[number] | 'seen_time';

/** Filter fields first (an equality is preferred over a sort when a query has both). */
export const HOSTS_INDEXES: readonly string[] = ['label_ids', 'team_id', 'host_identifier', ...HOST_SORT_KEYS];
export const HOST_PRESENCE_INDEXES: readonly string[] = ['seen_time'];

const SEP = '\u0000';

/** Counter keys: the whole fleet, by platform, by team, by team and platform, by label, by policy result, by creation hour. */
export const counterKey = {
  all: 'all',
  platform: (platform: string) => `platform${SEP}${platform}`,
  team: (team: number | null) => `team${SEP}${team ?? 'none'}`,
  teamPlatform: (team: number | null, platform: string) => `team${SEP}${team ?? 'none'}${SEP}platform${SEP}${platform}`,
  label: (label: number) => `label${SEP}${label}`,
  policy: (policy: string, passing: boolean) => `policy${SEP}${policy}${SEP}${passing ? 'passing' : 'failing'}`,
  /** Hosts created in one UTC hour (`2024-01-01T13`), for new_count without a range count. */
  createdHour: (hour: string) => `created${SEP}${hour}`,
  teamCreatedHour: (team: number | null, hour: string) => `team${SEP}${team ?? 'none'}${SEP}created${SEP}${hour}`,
};
export const PLATFORM_PREFIX = `platform${SEP}`;
export const teamPlatformPrefix = (team: number | null) => `team${SEP}${team ?? 'none'}${SEP}platform${SEP}`;
export const POLICY_PREFIX = `policy${SEP}`;

export function counterKeys(doc: HostDoc | null): string[] {
  if (doc === null) return [];
  const platform = doc.platform ?? '';
  const hour = doc.created_at.slice(0, 13);
  return [
    counterKey.all,
    counterKey.platform(platform),
    counterKey.team(doc.team_id),
    counterKey.teamPlatform(doc.team_id, platform),
    counterKey.createdHour(hour),
    counterKey.teamCreatedHour(doc.team_id, hour),
    ...doc.label_ids.map(counterKey.label),
    ...Object.entries(doc.policy_results).map(([policy, passing]) => counterKey.policy(policy, passing)),
  ];
}

/** Fleet's display name: the computer name, else the hostname, else the osquery identifier. */
export function displayName(doc: Pick<HostDoc, 'computer_name' | 'hostname' | 'host_identifier'>): string {
  return doc.computer_name || doc.hostname || doc.host_identifier;
}

/** Longest term indexed (a longer search text matches by its first MAX_TERM characters). */
export const MAX_TERM = 200;

export function normaliseSearch(text: string): string {
  return text.trim().toLowerCase().slice(0, MAX_TERM);
}

/**
 * The terms a host is found by: each searched field, lower-cased, and its tails after each '.',
 * '-', '_', ':' or space ("web-01.example.com" is found by "web", "01.ex", "example", "com").
 */
export function searchTerms(doc: HostDoc | null): string[] {
  if (doc === null) return [];
  const terms = new Set<string>();
  for (const value of [doc.hostname, doc.computer_name, doc.uuid, doc.hardware_serial, doc.primary_ip]) {
    const text = normaliseSearch(value ?? '');
    if (text === '') continue;
    terms.add(text);
    for (let i = 0; i < text.length - 1; i += 1) if ('.-_: '.includes(text[i])) terms.add(text.slice(i + 1));
  }
  return [...terms];
}

/** Host ids are zero-padded so that one term's entries are in host id order. */
export const searchKey = (term: string, hostId: number) => `${term}${SEP}${padId(hostId)}`;
export const hostIdOfSearchKey = (key: string) => Number(key.slice(key.lastIndexOf(SEP) + 1));
