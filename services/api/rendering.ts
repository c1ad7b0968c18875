/** The JSON shapes of Fleet's API, built from read-model documents. */
import type { LabelSpec, PackSpec, PolicySpec, QuerySpec, SpecKind, TeamSpec } from '../../shared/domain/specs/spec-types';
import type { CampaignDoc, SpecDoc, UserDoc } from '../../shared/read-models/read-model-types';

function renderQuery(doc: SpecDoc<'query'>) {
  const { name, description, query, observer_can_run } = doc.spec as QuerySpec;
  return observer_can_run === undefined ? { name, description, query } : { name, description, query, observer_can_run };
}

function renderPack(doc: SpecDoc<'pack'>) {
  const spec = doc.spec as PackSpec;
  return { id: doc.id, name: spec.name, description: spec.description, ...(spec.platform ? { platform: spec.platform } : {}), disabled: spec.disabled, targets: spec.targets, queries: spec.queries };
}

function renderLabel(doc: SpecDoc<'label'>) {
  const spec = doc.spec as LabelSpec;
  return {
    id: doc.id,
    name: spec.name,
    description: spec.description,
    query: spec.query,
    ...(spec.platform ? { platform: spec.platform } : {}),
    ...(doc.builtin ? { label_type: 'builtin' } : {}),
    label_membership_type: spec.label_membership_type,
    ...(spec.hosts !== undefined ? { hosts: spec.hosts } : {}),
  };
}

/** The fields every view of a policy shares. */
function policyFields(doc: SpecDoc<'policy'>) {
  const spec = doc.spec as PolicySpec;
  return { id: doc.id, name: spec.name, query: spec.query, description: spec.description, resolution: spec.resolution, platform: spec.platform };
}

/** What GET /policies adds to a policy: its team's id (the spec names the team) and its host counts. */
export interface PolicyListing {
  teamIds: Map<string, number>;
  counts?: { passing: number; failing: number };
}

/**
 * A policy as Fleet shows it. Without `listing`, as a spec (GET /spec/policies: `team` by name);
 * with it, as GET /policies lists it (team id, times, passing and failing host counts).
 */
export function renderPolicy(doc: SpecDoc<'policy'>, listing?: PolicyListing) {
  const spec = doc.spec as PolicySpec;
  if (!listing) return { ...policyFields(doc), team: spec.team };
  return {
    ...policyFields(doc),
    team_id: spec.team ? (listing.teamIds.get(spec.team) ?? null) : null,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    passing_host_count: listing.counts?.passing ?? 0,
    failing_host_count: listing.counts?.failing ?? 0,
  };
}

/** A policy in GET /hosts/:id: the host's latest answer, `pass`, `fail` or '' (not answered yet). */
export function renderHostPolicy(doc: SpecDoc<'policy'>, passing: boolean | undefined) {
  return { ...policyFields(doc), response: passing === undefined ? '' : passing ? 'pass' : 'fail' };
}

function renderTeam(doc: SpecDoc<'team'>) {
  const spec = doc.spec as TeamSpec;
  return { id: doc.id, name: spec.name, agent_options: spec.agent_options, secrets: spec.secrets };
}

const RENDERERS: Record<SpecKind, (doc: SpecDoc<never>) => object> = {
  query: renderQuery,
  pack: renderPack,
  label: renderLabel,
  policy: (doc) => renderPolicy(doc),
  team: renderTeam,
};

export function renderSpec(kind: SpecKind, doc: SpecDoc): object {
  return RENDERERS[kind](doc as SpecDoc<never>);
}

export function renderUser(user: UserDoc) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    global_role: user.global_role,
    created_at: user.created_at,
    updated_at: user.updated_at,
    teams: [],
    api_only: false,
    sso_enabled: false,
    force_password_reset: false,
    gravatar_url: '',
  };
}

/** A saved query as GET /queries lists it, with the id that `query_id` refers to. */
export function renderSavedQuery(doc: SpecDoc<'query'>) {
  const spec = doc.spec as QuerySpec;
  return { id: doc.id, name: spec.name, description: spec.description, query: spec.query, observer_can_run: spec.observer_can_run === true, created_at: doc.created_at, updated_at: doc.updated_at };
}

/** Fleet's numeric campaign status: 0 waiting, 1 running, 2 finished (however it ended). */
const FLEET_STATUS = { waiting: 0, running: 1, completed: 2, stopped: 2, expired: 2 } as const;

export function renderCampaign(doc: CampaignDoc) {
  return {
    id: doc.id,
    query_id: doc.query_id,
    query: doc.query,
    status: FLEET_STATUS[doc.status],
    state: doc.status,
    user_id: doc.user_id,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    expires_at: doc.expires_at,
    ...(doc.results_deleted_at ? { results_deleted_at: doc.results_deleted_at } : {}),
    Metrics: {
      TotalHosts: doc.totals.count,
      OnlineHosts: doc.totals.online,
      OfflineHosts: doc.totals.offline,
      MissingInActionHosts: doc.totals.missing_in_action,
      NewHosts: doc.totals.new ?? 0,
    },
  };
}

/** The answer to starting a campaign: Fleet shows a new campaign as waiting (status 0), whatever the projection says. */
export function renderStartedCampaign(doc: CampaignDoc | null) {
  return doc && { ...renderCampaign(doc), status: 0 };
}

/** GET /campaigns: a campaign without its target list, with how many hosts it targeted. */
export function renderCampaignSummary(doc: CampaignDoc) {
  return { ...renderCampaign(doc), targeted_hosts: doc.totals.count, ...(doc.ended_at ? { ended_at: doc.ended_at } : {}) };
}

/** GET /campaigns/:id: the campaign with its expected (online targets) and recorded result counts. */
export function renderCampaignDetail(doc: CampaignDoc, recorded: number) {
  return { ...renderCampaign(doc), expected_results: doc.totals.online, actual_results: recorded, targeted_hosts: doc.totals.count };
}
