/** The read models the projector builds and the GET endpoints serve, by logical collection name. */
import type { FieldChange } from '../domain/specs/spec-diff';
import type { EnrollSecret, SpecByKind, SpecKind } from '../domain/specs/spec-types';
import type { GlobalRole } from '../domain/users/roles';

export const specCollection = (kind: SpecKind) => `specs_${kind}`;
export const HISTORY = 'spec_history';
export const ACTIVITIES = 'activities';
export const USERS = 'users';
export const SESSIONS = 'sessions';
export const SETTINGS = 'settings';

/** Current version of one spec, keyed by name. */
export interface SpecDoc<K extends SpecKind = SpecKind> {
  id: number;
  name: string;
  version: number;
  builtin: boolean;
  spec: SpecByKind[K];
  created_at: string;
  updated_at: string;
}

/** One version of one spec, keyed by historyKey(kind, name, version). */
export interface SpecVersionDoc {
  version: number;
  applied_at: string;
  applied_by: { id: number | null; email: string | null };
  spec: unknown;
  changes: FieldChange[];
}

export const historyKey = (kind: SpecKind, name: string, version: number) => `${kind}\u0000${name}\u0000${version}`;

export interface ActivityDoc {
  id: number;
  created_at: string;
  actor_full_name: string | null;
  actor_id: number | null;
  actor_email: string | null;
  type: string;
  details: Record<string, unknown>;
}

export interface UserDoc {
  id: number;
  name: string;
  email: string;
  global_role: GlobalRole;
  created_at: string;
  updated_at: string;
}

export interface SessionDoc {
  user_id: number;
  expires_at: string;
}

export const GLOBAL_ENROLL_SECRETS_KEY = 'enroll_secrets';
export interface EnrollSecretsDoc {
  secrets: EnrollSecret[];
}

export const SHELL_SESSIONS = 'shell_sessions';
export const SHELL_HOSTS = 'shell_hosts';

/** One remote shell session, keyed by session id. */
export interface ShellSessionDoc {
  session_id: string;
  host_id: number;
  hostname: string;
  operator: { id: number; email: string };
  status: 'requested' | 'open' | 'closed';
  requested_at: string;
  launcher_joined_at: string | null;
  operator_joined_at: string | null;
  closed_at: string | null;
  close_reason: string | null;
  closed_by: string | null;
  bytes_to_launcher: number;
  bytes_from_launcher: number;
}

/** A host whose launcher enabled remote shells, keyed by String(host id). */
export interface ShellHostDoc {
  host_id: number;
  hostname: string;
  display_name: string;
  shell_enabled_at: string;
}
