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

/** Live query campaigns, keyed by String(campaign id); projected from the campaign streams. */
export const CAMPAIGNS = 'campaigns';

export const CAMPAIGN_STATUSES = ['waiting', 'running', 'completed', 'stopped', 'expired'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A campaign is over in these states: no more results are expected. */
export const isFinalCampaignStatus = (status: CampaignStatus) =>
  status === 'completed' || status === 'stopped' || status === 'expired';

/** Fleet's `totals` frame; computed when the campaign is created. `online` hosts are expected to answer. */
export interface CampaignTotals {
  count: number;
  online: number;
  offline: number;
  missing_in_action: number;
}

export interface CampaignDoc {
  id: number;
  query: string;
  query_id: number | null;
  user_id: number;
  status: CampaignStatus;
  target_host_ids: number[];
  totals: CampaignTotals;
  created_at: string;
  updated_at: string;
}
