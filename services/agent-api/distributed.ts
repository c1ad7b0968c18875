/**
 * distributed/read and distributed/write: what a host is asked (detail, label, policy and live
 * queries, each when due) and what its answers mean. Answered from the in-memory view only.
 */
import type { RecordHostReport } from '../../shared/domain/hosts/host-decider';
import type { HostFacts } from '../../shared/domain/hosts/host-events';
import { badRequest } from './agent-errors';
import { constantAnswer } from './constant-answers';
import type { AgentView, HostRecord, PolicyEntry } from './agent-view';
import { CAMPAIGN_QUERY_PREFIX, DETAIL_QUERIES, DETAIL_QUERY_PREFIX, LABEL_QUERY_PREFIX, POLICY_QUERY_PREFIX } from './host-facts';

/** A query handed out but not answered is handed out again after this long. */
const ASK_AGAIN_AFTER_MS = 60_000;
/** How long a new host checks in every second (osquery's `accelerate`), until its facts arrive. */
const ACCELERATE_SECONDS = 60;

export interface RefreshIntervals {
  detailsMs: number;
  labelsMs: number;
  policiesMs: number;
}

export type Row = Record<string, string>;

/**
 * Live query campaigns, as LiveCampaigns (live-campaigns.ts) follows them from the event log;
 * absent, hosts get no live queries.
 */
export interface LiveQueries {
  /** Campaign queries waiting for this host, by campaign id. */
  pendingFor(host: HostRecord, now: number): ReadonlyMap<number, string>;
  /**
   * The host's answer to a campaign; answers to campaigns it was not asked are ignored. Rejects
   * when the answer could not be stored, and then hands the campaign out again at the next read.
   */
  recordAnswer(host: HostRecord, campaignId: number, rows: Row[], error: string | null): Promise<void>;
}

export interface DistributedReadAnswer {
  queries: Record<string, string>;
  discovery: Record<string, string>;
  accelerate?: number;
}

const LINUX_PLATFORMS = new Set(['ubuntu', 'centos', 'rhel', 'debian', 'fedora', 'amzn', 'arch', 'linux', 'gentoo', 'opensuse', 'suse', 'manjaro']);

/** Fleet's platform families, as policies name them: darwin, windows, linux, chrome. */
export function platformFamily(platform: string): string {
  return LINUX_PLATFORMS.has(platform) ? 'linux' : platform;
}

function policyApplies(view: AgentView, host: HostRecord, policy: PolicyEntry): boolean {
  if (policy.team !== '') {
    const team = host.state.teamId === null ? undefined : view.teamsById.get(host.state.teamId);
    if (team?.spec.name !== policy.team) return false;
  }
  if (policy.platform.trim() === '') return true;
  const family = platformFamily(host.state.facts.platform ?? '');
  return policy.platform.split(',').some((entry) => entry.trim() === family);
}

function due(lastDone: number, lastAsked: number, intervalMs: number, changedAt: number, now: number): boolean {
  const stale = now - lastDone >= intervalMs || lastDone < changedAt;
  return stale && now - lastAsked >= ASK_AGAIN_AFTER_MS;
}

/** The answer of nearly every check-in: nothing to run. Frozen and serialized once (agent-http.ts). */
const NOTHING_TO_RUN = constantAnswer<DistributedReadAnswer>({ queries: {}, discovery: {} });

export function distributedRead(view: AgentView, host: HostRecord, intervals: RefreshIntervals, now: number, live?: LiveQueries): DistributedReadAnswer {
  const answer = queriesFor(view, host, intervals, now, live);
  if (host.detailsAt === 0) return { ...answer, accelerate: ACCELERATE_SECONDS };
  return answer;
}

/** What the host is asked; NOTHING_TO_RUN (shared, frozen) when nothing. */
function queriesFor(view: AgentView, host: HostRecord, intervals: RefreshIntervals, now: number, live?: LiveQueries): DistributedReadAnswer {
  let queries: Record<string, string> | null = null;
  if (due(host.detailsAt, host.askedDetailsAt, intervals.detailsMs, 0, now)) {
    queries ??= {};
    for (const [name, detail] of DETAIL_QUERIES) queries[DETAIL_QUERY_PREFIX + name] = detail.sql;
    host.askedDetailsAt = now;
  }
  if (due(host.labelsAt, host.askedLabelsAt, intervals.labelsMs, view.labelsChangedAt, now)) {
    const platform = host.state.facts.platform ?? '';
    queries ??= {};
    for (const label of view.labels.values()) {
      if (!label.manual && (label.platform === '' || label.platform === platform)) queries[LABEL_QUERY_PREFIX + label.id] = label.query;
    }
    host.askedLabelsAt = now;
  }
  if (due(host.policiesAt, host.askedPoliciesAt, intervals.policiesMs, view.policiesChangedAt, now)) {
    queries ??= {};
    for (const policy of view.policies.values()) {
      if (policyApplies(view, host, policy)) queries[POLICY_QUERY_PREFIX + policy.id] = policy.query;
    }
    host.askedPoliciesAt = now;
  }
  if (live) {
    const pending = live.pendingFor(host, now);
    if (pending.size > 0) {
      queries ??= {};
      for (const [campaignId, sql] of pending) queries[CAMPAIGN_QUERY_PREFIX + campaignId] = sql;
    }
  }
  return queries === null ? NOTHING_TO_RUN : { queries, discovery: {} };
}

/**
 * A distributed/write's answers by query name. Maps, never plain objects: the names are the
 * host's, and a name such as `__proto__` or `constructor` must be just a name.
 */
export interface DistributedWrite {
  queries: ReadonlyMap<string, Row[]>;
  statuses: ReadonlyMap<string, number>;
  messages: ReadonlyMap<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the shape of a distributed/write body; a wrong one is a 400 naming the field. */
export function parseDistributedWrite(body: Record<string, unknown>): DistributedWrite {
  const queries = body.queries ?? {};
  const statuses = body.statuses ?? {};
  const messages = body.messages ?? {};
  if (!isObject(queries)) throw badRequest('"queries" must be an object of query name to rows');
  if (!isObject(statuses)) throw badRequest('"statuses" must be an object of query name to status code');
  if (!isObject(messages)) throw badRequest('"messages" must be an object of query name to message');
  const write = { queries: new Map<string, Row[]>(), statuses: new Map<string, number>(), messages: new Map<string, string>() };
  for (const [name, rows] of Object.entries(queries)) {
    if (!Array.isArray(rows) || !rows.every(isObject)) throw badRequest(`"queries.${name}" must be an array of rows (objects)`);
    write.queries.set(name, rows as Row[]);
  }
  for (const [name, status] of Object.entries(statuses)) {
    if (typeof status !== 'number' || !Number.isInteger(status)) throw badRequest(`"statuses.${name}" must be an integer`);
    write.statuses.set(name, status);
  }
  for (const [name, message] of Object.entries(messages)) {
    if (typeof message !== 'string') throw badRequest(`"messages.${name}" must be a string`);
    write.messages.set(name, message);
  }
  return write;
}

export interface CampaignAnswer {
  campaignId: number;
  rows: Row[];
  error: string | null;
}

export interface InterpretedWrite {
  report: RecordHostReport;
  answeredDetails: boolean;
  answeredLabels: boolean;
  answeredPolicies: boolean;
  campaignAnswers: CampaignAnswer[];
}

function idAfter(name: string, prefix: string): number | null {
  const rest = name.slice(prefix.length);
  return /^\d{1,15}$/.test(rest) ? Number(rest) : null;
}

/**
 * What a distributed/write says. As osquery's Fleet does, answers to queries Logbook does not
 * hand out (an unknown name, a label or policy since deleted) are ignored, and the rest is
 * recorded; campaign answers are sorted out by the live campaigns (which drop the ones not asked).
 */
export function interpretDistributedWrite(view: AgentView, write: DistributedWrite): InterpretedWrite {
  const facts: Partial<HostFacts> = {};
  const labels = new Map<number, boolean>();
  const policies = new Map<number, boolean>();
  const result: InterpretedWrite = { report: { facts, labels, policies }, answeredDetails: false, answeredLabels: false, answeredPolicies: false, campaignAnswers: [] };
  const names = new Set([...write.queries.keys(), ...write.statuses.keys()]);
  for (const name of names) {
    const rows = write.queries.get(name) ?? [];
    const status = write.statuses.get(name) ?? 0;
    const failed = status !== 0;
    if (name.startsWith(DETAIL_QUERY_PREFIX)) {
      const detail = DETAIL_QUERIES.get(name.slice(DETAIL_QUERY_PREFIX.length));
      if (!detail) continue;
      if (!failed) Object.assign(facts, detail.facts(rows));
      result.answeredDetails = true;
    } else if (name.startsWith(LABEL_QUERY_PREFIX)) {
      const id = idAfter(name, LABEL_QUERY_PREFIX);
      if (id === null || !view.labels.has(id)) continue;
      if (!failed) labels.set(id, rows.length > 0);
      result.answeredLabels = true;
    } else if (name.startsWith(POLICY_QUERY_PREFIX)) {
      const id = idAfter(name, POLICY_QUERY_PREFIX);
      if (id === null || !view.policies.has(id)) continue;
      if (!failed) policies.set(id, rows.length > 0);
      result.answeredPolicies = true;
    } else if (name.startsWith(CAMPAIGN_QUERY_PREFIX)) {
      const id = idAfter(name, CAMPAIGN_QUERY_PREFIX);
      if (id === null) continue;
      const error = failed ? write.messages.get(name) || `query failed with status ${status}` : null;
      result.campaignAnswers.push({ campaignId: id, rows: failed ? [] : rows, error });
    }
  }
  return result;
}
