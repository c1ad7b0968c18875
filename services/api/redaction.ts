/**
 * What of a spec a role may not read, taken out before it is answered. Today only teams carry
 * such fields: `secrets` (the team's enroll secrets, canReadEnrollSecrets) and `agent_options`
 * (canReadAgentOptions). Invariant: every response that shows a team spec or a version of one
 * (GET /spec/teams, /spec/teams/:name, /spec/teams/:name/history) passes through here, so a
 * field a role may not read is absent from it: from the spec, and from every history change whose
 * field is that field or lies under it. Left out, not masked: nothing about the value shows.
 */
import type { SpecKind } from '../../shared/domain/specs/spec-types';
import { canReadAgentOptions, canReadEnrollSecrets, type GlobalRole } from '../../shared/domain/users/roles';
import type { SpecVersionDoc } from '../../shared/read-models/read-model-types';

/** Each restricted field of a team spec and the rule that lets a role read it. */
const TEAM_RESTRICTED_FIELDS: ReadonlyArray<readonly [string, (role: GlobalRole) => boolean]> = [
  ['secrets', canReadEnrollSecrets],
  ['agent_options', canReadAgentOptions],
];

/** The top-level fields of a `kind` spec that `role` may not read. */
export function hiddenFields(kind: SpecKind, role: GlobalRole): string[] {
  if (kind !== 'team') return [];
  return TEAM_RESTRICTED_FIELDS.filter(([, mayRead]) => !mayRead(role)).map(([field]) => field);
}

/** `spec` without the fields `role` may not read (the same object when there are none). */
export function redactSpec<T extends object>(kind: SpecKind, spec: T, role: GlobalRole): Partial<T> {
  const hidden = hiddenFields(kind, role);
  if (hidden.length === 0) return spec;
  return Object.fromEntries(Object.entries(spec).filter(([field]) => !hidden.includes(field))) as Partial<T>;
}

/** Whether a diff path (`field`, `field.sub`, `field[name]`) is, or lies under, one of `hidden`. */
function underHidden(path: string, hidden: readonly string[]): boolean {
  return hidden.some((field) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`));
}

/** A spec's history as `role` may read it: each version's spec and changes redacted alike. */
export function redactHistory(kind: SpecKind, history: SpecVersionDoc[], role: GlobalRole): SpecVersionDoc[] {
  const hidden = hiddenFields(kind, role);
  if (hidden.length === 0) return history;
  return history.map((version) => ({
    ...version,
    spec: typeof version.spec === 'object' && version.spec !== null ? redactSpec(kind, version.spec, role) : version.spec,
    changes: version.changes.filter((change) => !underHidden(change.field, hidden)),
  }));
}
