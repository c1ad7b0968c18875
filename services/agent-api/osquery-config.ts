/**
 * The osquery config a host fetches: `options` and `decorators` from the agent options (its
 * team's when it is in a team and the team has some, else the global ones of the app config
 * (GET/PATCH /config), else Fleet's defaults; each with per-platform overrides), and the packs
 * targeted at the host by label membership or by team.
 */
import { DEFAULT_AGENT_OPTIONS } from '../../shared/domain/organization/app-config';
import type { PackQuery } from '../../shared/domain/specs/spec-types';
import type { AgentView, HostRecord } from './agent-view';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Agent options as Fleet stores them: `{config, overrides: {platforms: {<platform>: config}}}`, possibly under `spec`. */
function configFromAgentOptions(agentOptions: unknown, platform: string): Json | undefined {
  const root = asObject(agentOptions);
  const options = asObject(root?.spec) ?? root;
  if (!options) return undefined;
  // The platform is the host's word: only an own property of the overrides may match it.
  const platforms = asObject(asObject(options.overrides)?.platforms);
  const override = platforms && Object.hasOwn(platforms, platform) ? asObject(platforms[platform]) : undefined;
  return override ?? asObject(options.config);
}

/** A pack query as osquery's config has it: the saved query's SQL in place of its name. */
export type OsqueryScheduledQuery = Omit<PackQuery, 'name' | 'description'>;

export interface OsqueryConfig {
  options: Json;
  decorators: Json;
  packs: Record<string, { queries: Record<string, OsqueryScheduledQuery> }>;
}

export function agentConfigFor(view: AgentView, host: HostRecord): { options: Json; decorators: Json } {
  const platform = host.state.facts.platform ?? '';
  const team = host.state.teamId === null ? undefined : view.teamsById.get(host.state.teamId);
  const config =
    (team && configFromAgentOptions(team.spec.agent_options, platform)) ??
    configFromAgentOptions(view.appConfig.agent_options, platform) ??
    configFromAgentOptions(DEFAULT_AGENT_OPTIONS, platform)!;
  return { options: asObject(config.options) ?? {}, decorators: asObject(config.decorators) ?? {} };
}

/** The check-in interval (s) the host is configured with: its `distributed_interval`, else osquery's 10. */
export function checkInIntervalFor(view: AgentView, host: HostRecord): number {
  const value = Number(agentConfigFor(view, host).options.distributed_interval);
  return Number.isFinite(value) && value > 0 ? value : 10;
}

/** Names of the packs targeted at the host. */
export function packsTargeting(view: AgentView, host: HostRecord): string[] {
  const teamName = host.state.teamId === null ? undefined : view.teamsById.get(host.state.teamId)?.spec.name;
  const names: string[] = [];
  for (const pack of view.packs.values()) {
    if (pack.disabled) continue;
    const byTeam = teamName !== undefined && (pack.targets.teams ?? []).includes(teamName);
    const byLabel = (pack.targets.labels ?? []).some((labelName) => {
      const id = view.labelIdsByName.get(labelName);
      const label = id === undefined ? undefined : view.labels.get(id);
      return label !== undefined && view.isMemberOf(host, label);
    });
    if (byTeam || byLabel) names.push(pack.name);
  }
  return names.sort();
}

function scheduledQuery(entry: PackQuery, sql: string): OsqueryScheduledQuery {
  const { name: _name, description: _description, ...scheduled } = entry;
  return { ...scheduled, query: sql };
}

export function osqueryConfigFor(view: AgentView, host: HostRecord): OsqueryConfig {
  // Null-prototype objects: a pack or query named `__proto__` is just a name.
  const packs: OsqueryConfig['packs'] = Object.create(null);
  for (const name of packsTargeting(view, host)) {
    const pack = view.packs.get(name)!;
    const queries: Record<string, OsqueryScheduledQuery> = Object.create(null);
    for (const entry of pack.queries) {
      const saved = view.queries.get(entry.query);
      if (saved) queries[entry.name] = scheduledQuery(entry, saved.query);
    }
    packs[name] = { queries };
  }
  return { ...agentConfigFor(view, host), packs };
}
