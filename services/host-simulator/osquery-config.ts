/**
 * What a simulated osqueryd takes from the config the server returns: its schedule (pack queries
 * named as osqueryd names them: "pack" + delimiter + pack + delimiter + query, delimiter "_" by
 * default, option `pack_delimiter`), decorators and options.
 */
import { createHash } from 'node:crypto';
import type { Platform } from './platforms';
import { matchesPlatformFilter } from './platforms';
import { OSQUERY_VERSION } from './simulated-tables';

export interface ScheduledQuery {
  name: string;
  query: string;
  interval: number;
  snapshot: boolean;
  /** false: removed rows are not logged. */
  removed: boolean;
  platform?: string;
  version?: string;
  shard?: number;
  pack?: string;
}

export interface PackFilter {
  platform?: string;
  version?: string;
  shard?: number;
  discovery: string[];
}

export interface OsqueryConfig {
  /** A digest of the config text: hosts with the same config share parsing and schedule rows. */
  id: string;
  options: Record<string, unknown>;
  schedule: ScheduledQuery[];
  packs: Record<string, PackFilter>;
  decorators: { load: string[]; always: string[]; interval: Record<string, string[]> };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1 || value === '1') return true;
  if (value === 'false' || value === 0 || value === '0') return false;
  return fallback;
}

function asNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.length > 0) : [];
}

function scheduledQuery(name: string, raw: Record<string, unknown>, pack?: string): ScheduledQuery | null {
  const query = raw.query;
  const interval = asNumber(raw.interval);
  if (typeof query !== 'string' || query.trim() === '' || interval === undefined || interval <= 0) return null;
  return {
    name,
    query,
    interval: Math.floor(interval),
    snapshot: asBool(raw.snapshot, false),
    removed: asBool(raw.removed, true),
    platform: typeof raw.platform === 'string' ? raw.platform : undefined,
    version: typeof raw.version === 'string' ? raw.version : undefined,
    shard: asNumber(raw.shard),
    pack,
  };
}

/** Parses the config text; unknown or malformed parts are skipped, as osqueryd skips them. */
export function parseOsqueryConfig(text: string): OsqueryConfig {
  const root = asObject(JSON.parse(text));
  const options = asObject(root.options);
  const delimiter = typeof options.pack_delimiter === 'string' ? options.pack_delimiter : '_';
  const schedule: ScheduledQuery[] = [];
  for (const [name, raw] of Object.entries(asObject(root.schedule))) {
    const query = scheduledQuery(name, asObject(raw));
    if (query) schedule.push(query);
  }
  const packs: Record<string, PackFilter> = {};
  for (const [packName, rawPack] of Object.entries(asObject(root.packs))) {
    const pack = asObject(rawPack);
    packs[packName] = {
      platform: typeof pack.platform === 'string' ? pack.platform : undefined,
      version: typeof pack.version === 'string' ? pack.version : undefined,
      shard: asNumber(pack.shard),
      discovery: asStrings(pack.discovery),
    };
    for (const [queryName, raw] of Object.entries(asObject(pack.queries))) {
      const query = scheduledQuery(`pack${delimiter}${packName}${delimiter}${queryName}`, asObject(raw), packName);
      if (query) schedule.push(query);
    }
  }
  const decorators = asObject(root.decorators);
  const interval: Record<string, string[]> = {};
  for (const [seconds, queries] of Object.entries(asObject(decorators.interval))) interval[seconds] = asStrings(queries);
  return {
    id: createHash('sha1').update(text).digest('hex'),
    options,
    schedule,
    packs,
    decorators: { load: asStrings(decorators.load), always: asStrings(decorators.always), interval },
  };
}

/** -1, 0 or 1 as version a is older, equal or newer than b ("5.12.1" style). */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.-]/).map((part) => parseInt(part, 10) || 0);
  const right = b.split(/[.-]/).map((part) => parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * The host's shard in [0, 100), from the MD5 of its hostname (first byte scaled to 100), the way
 * osquery places a machine for the `shard` option.
 */
export function machineShard(hostname: string): number {
  const firstByte = createHash('md5').update(hostname).digest()[0];
  return Math.floor((firstByte * 100) / 255);
}

/** Whether a query (or pack) with these filters is scheduled on this host. */
export function appliesToHost(filter: { platform?: string; version?: string; shard?: number }, platform: Platform, hostname: string): boolean {
  if (!matchesPlatformFilter(platform, filter.platform)) return false;
  if (filter.version && compareVersions(OSQUERY_VERSION, filter.version) < 0) return false;
  if (filter.shard !== undefined && filter.shard > 0 && filter.shard < 100 && machineShard(hostname) >= filter.shard) return false;
  return true;
}

/** A positive whole number of seconds from the config's options, if it sets one. */
export function optionSeconds(options: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = asNumber(options[name]);
    if (value !== undefined && value > 0) return Math.floor(value);
  }
  return undefined;
}
