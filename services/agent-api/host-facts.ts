/**
 * Host facts from what osquery reports: the `host_details` of an enroll request and the answers
 * to the detail queries sent in distributed/read (named `fleet_detail_query_<name>`). Values are
 * strings as osquery sends them; numbers are parsed here.
 */
import type { HostFacts } from '../../shared/domain/hosts/host-events';

type Row = Record<string, unknown>;

function text(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function integer(row: Row, column: string): number | undefined {
  const value = text(row, column);
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function defined(facts: Partial<HostFacts>): Partial<HostFacts> {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined && value !== '')) as Partial<HostFacts>;
}

export function factsFromSystemInfo(row: Row): Partial<HostFacts> {
  return defined({
    hostname: text(row, 'hostname'),
    uuid: text(row, 'uuid'),
    hardware_serial: text(row, 'hardware_serial'),
    hardware_model: text(row, 'hardware_model'),
    hardware_vendor: text(row, 'hardware_vendor'),
    computer_name: text(row, 'computer_name'),
    cpu_brand: text(row, 'cpu_brand'),
    cpu_logical_cores: integer(row, 'cpu_logical_cores'),
    memory: integer(row, 'physical_memory'),
  });
}

export function factsFromOsVersion(row: Row): Partial<HostFacts> {
  const name = text(row, 'name') ?? '';
  const version = text(row, 'version') ?? '';
  return defined({
    platform: text(row, 'platform'),
    platform_like: text(row, 'platform_like'),
    os_version: [name, version].filter(Boolean).join(' ') || undefined,
    build: text(row, 'build'),
  });
}

export function factsFromOsqueryInfo(row: Row): Partial<HostFacts> {
  return defined({ osquery_version: text(row, 'version') });
}

export function factsFromPrimaryInterface(row: Row): Partial<HostFacts> {
  return defined({ primary_ip: text(row, 'address'), primary_mac: text(row, 'mac') });
}

export interface DetailQuery {
  sql: string;
  facts(rows: Row[]): Partial<HostFacts>;
}

const firstRow = (extract: (row: Row) => Partial<HostFacts>) => (rows: Row[]) => (rows.length > 0 ? extract(rows[0]) : {});

/**
 * Sent as `fleet_detail_query_<name>` when a host's facts are due for a refresh. A Map: the names
 * in a host's answer are looked up here, and no name may reach an Object.prototype member.
 */
export const DETAIL_QUERIES: ReadonlyMap<string, DetailQuery> = new Map(Object.entries({
  system_info: {
    sql: 'SELECT hostname, uuid, hardware_serial, hardware_vendor, hardware_model, cpu_brand, cpu_logical_cores, physical_memory, computer_name FROM system_info LIMIT 1;',
    facts: firstRow(factsFromSystemInfo),
  },
  os_version: {
    sql: 'SELECT name, version, major, minor, patch, build, platform, platform_like FROM os_version LIMIT 1;',
    facts: firstRow(factsFromOsVersion),
  },
  osquery_info: {
    sql: 'SELECT version FROM osquery_info LIMIT 1;',
    facts: firstRow(factsFromOsqueryInfo),
  },
  network_interface: {
    sql: "SELECT address FROM interface_addresses WHERE address NOT LIKE '127.%' AND address NOT LIKE '%:%' AND address != '' LIMIT 1;",
    facts: firstRow(factsFromPrimaryInterface),
  },
} satisfies Record<string, DetailQuery>));

export const DETAIL_QUERY_PREFIX = 'fleet_detail_query_';
export const LABEL_QUERY_PREFIX = 'fleet_label_query_';
export const POLICY_QUERY_PREFIX = 'fleet_policy_query_';
export const CAMPAIGN_QUERY_PREFIX = 'fleet_distributed_query_';

/** The facts in an enroll request's `host_details` (each entry one row of that table). */
export function factsFromHostDetails(details: Record<string, unknown>): Partial<HostFacts> {
  const row = (name: string): Row => {
    const value = details[name];
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Row) : {};
  };
  return { ...factsFromOsVersion(row('os_version')), ...factsFromOsqueryInfo(row('osquery_info')), ...factsFromSystemInfo(row('system_info')) };
}
