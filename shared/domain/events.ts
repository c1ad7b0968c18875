/**
 * Every event Logbook records, by type. Event data is JSON; who and when live in the metadata
 * (see shared/ports/event-store.ts), so the data holds only what the event says.
 */
import type { FieldChange } from './specs/spec-diff';
import type { EnrollSecret, SpecByKind, SpecKind } from './specs/spec-types';
import type { GlobalRole } from './users/roles';

export const SPEC_APPLIED_TYPE: Record<SpecKind, string> = {
  query: 'QuerySpecApplied',
  pack: 'PackSpecApplied',
  label: 'LabelSpecApplied',
  policy: 'PolicySpecApplied',
  team: 'TeamSpecApplied',
};

export function specKindOfEventType(type: string): SpecKind | undefined {
  return (Object.keys(SPEC_APPLIED_TYPE) as SpecKind[]).find((kind) => SPEC_APPLIED_TYPE[kind] === type);
}

/** A new version of one spec. `version` is 1 for the first apply. */
export interface SpecApplied<K extends SpecKind = SpecKind> {
  kind: K;
  id: number;
  version: number;
  spec: SpecByKind[K];
  changes: FieldChange[];
  builtin: boolean;
}

/** Reserves the next numeric id of a kind of entity; the sequence stream's revision + 1 is the id. */
export const ID_RESERVED = 'IdReserved';
export interface IdReserved {
  id: number;
  name: string;
}

export const ENROLL_SECRETS_REPLACED = 'EnrollSecretsReplaced';
export interface EnrollSecretsReplaced {
  secrets: EnrollSecret[];
  added: number;
  removed: number;
}

export const ORGANIZATION_SET_UP = 'OrganizationSetUp';
export interface OrganizationSetUp {
  org_name: string;
  server_url: string;
}

export const USER_CREATED = 'UserCreated';
export interface UserCreated {
  id: number;
  email: string;
  name: string;
  global_role: GlobalRole;
  password_hash: string;
}

export const USER_LOGGED_IN = 'UserLoggedIn';
export interface UserLoggedIn {
  user_id: number;
  /** SHA-256 of the bearer token, hex; the token itself is never stored. */
  token_hash: string;
  expires_at: string;
}

export const USER_LOGGED_OUT = 'UserLoggedOut';
export interface UserLoggedOut {
  user_id: number;
  token_hash: string;
}
