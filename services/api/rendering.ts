/** The JSON shapes of Fleet's API, built from read-model documents. */
import type { LabelSpec, PackSpec, PolicySpec, QuerySpec, SpecKind, TeamSpec } from '../../shared/domain/specs/spec-types';
import type { SpecDoc, UserDoc } from '../../shared/read-models/read-model-types';

function renderQuery(doc: SpecDoc<'query'>) {
  const { name, description, query, observer_can_run } = doc.spec as QuerySpec;
  return observer_can_run === undefined ? { name, description, query } : { name, description, query, observer_can_run };
}

function renderPack(doc: SpecDoc<'pack'>) {
  const spec = doc.spec as PackSpec;
  return { id: doc.id, name: spec.name, description: spec.description, disabled: spec.disabled, targets: spec.targets, queries: spec.queries };
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

function renderPolicy(doc: SpecDoc<'policy'>) {
  const spec = doc.spec as PolicySpec;
  return { id: doc.id, name: spec.name, description: spec.description, query: spec.query, resolution: spec.resolution, platform: spec.platform, team: spec.team };
}

function renderTeam(doc: SpecDoc<'team'>) {
  const spec = doc.spec as TeamSpec;
  return { id: doc.id, name: spec.name, agent_options: spec.agent_options, secrets: spec.secrets };
}

const RENDERERS: Record<SpecKind, (doc: SpecDoc<never>) => object> = {
  query: renderQuery,
  pack: renderPack,
  label: renderLabel,
  policy: renderPolicy,
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
