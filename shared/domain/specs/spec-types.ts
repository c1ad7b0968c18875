/** The spec shapes as Fleet's spec API reads and writes them (after defaults are filled in). */

export interface QuerySpec {
  name: string;
  description: string;
  query: string;
  observer_can_run?: boolean;
}

export interface PackQuery {
  query: string;
  name: string;
  description: string;
  interval: number;
  snapshot: boolean;
  removed: boolean;
  platform: string;
  version: string;
  shard: number | null;
  denylist: boolean | null;
}

export interface PackSpec {
  name: string;
  description: string;
  /** Fleet's pack-level platform (omitted when empty, as Fleet omits it). */
  platform?: string;
  disabled: boolean;
  targets: { labels: string[] | null; teams: string[] | null };
  queries: PackQuery[];
}

export type LabelMembershipType = 'dynamic' | 'manual';

export interface LabelSpec {
  name: string;
  description: string;
  query: string;
  platform: string;
  label_membership_type: LabelMembershipType;
  /** Manual labels only: member hostnames. */
  hosts?: string[];
}

export interface PolicySpec {
  name: string;
  description: string;
  query: string;
  resolution: string;
  platform: string;
  /** Team name, or '' for a global policy. */
  team: string;
}

export interface EnrollSecret {
  secret: string;
  created_at: string;
}

export interface TeamSpec {
  name: string;
  agent_options: Record<string, unknown> | null;
  secrets: Array<{ secret: string }>;
}

export interface SpecByKind {
  query: QuerySpec;
  pack: PackSpec;
  label: LabelSpec;
  policy: PolicySpec;
  team: TeamSpec;
}

export type SpecKind = keyof SpecByKind;
export const SPEC_KINDS: readonly SpecKind[] = ['query', 'pack', 'label', 'policy', 'team'];

/**
 * The kinds that can be deleted by name: what the seed-era `fleetctl delete -f` deletes
 * (cmd/fleetctl/delete.go: queries, packs, labels, through DELETE /api/v1/fleet/<plural>/<name>).
 */
export type NamedDeletableSpecKind = 'query' | 'pack' | 'label';
export const NAMED_DELETABLE_SPEC_KINDS: readonly NamedDeletableSpecKind[] = ['query', 'pack', 'label'];

/**
 * Every kind that can be deleted: the named ones, and policies and teams, which Fleet deletes by
 * id (POST /global/policies/delete, DELETE /teams/{id}; see spec-deletion.ts).
 */
export type DeletableSpecKind = NamedDeletableSpecKind | 'policy' | 'team';
export const DELETABLE_SPEC_KINDS: readonly DeletableSpecKind[] = ['query', 'pack', 'label', 'policy', 'team'];

/** The resource names Fleet's not-found errors use (`Query x was not found in the datastore`). */
export const SPEC_RESOURCE_NAME: Record<SpecKind, string> = { query: 'Query', pack: 'Pack', label: 'Label', policy: 'Policy', team: 'Team' };

/** Plural used in Fleet's routes and in activity types. */
export const SPEC_KIND_PLURAL: Record<SpecKind, string> = {
  query: 'queries',
  pack: 'packs',
  label: 'labels',
  policy: 'policies',
  team: 'teams',
};

export function specKindFromPlural(plural: string): SpecKind | undefined {
  return SPEC_KINDS.find((kind) => SPEC_KIND_PLURAL[kind] === plural);
}

/** One stream per spec: its kind and its name. */
export function specStreamId(kind: SpecKind, name: string): string {
  return `${kind}-${name}`;
}
