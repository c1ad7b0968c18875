/** The read models the projector builds and the GET endpoints serve, by logical collection name. */
import type { CampaignTotals } from '../domain/campaigns/campaign-events';
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

/**
 * One version of one spec, keyed by historyKey(kind, name, version): who made it and when. A
 * deletion is a version too: `deleted: true`, `spec` null, no changes. A pack version Logbook made
 * because a query or label it named was deleted says which (`detached`).
 */
export interface SpecVersionDoc {
  version: number;
  applied_at: string;
  applied_by: { id: number | null; email: string | null };
  spec: unknown;
  changes: FieldChange[];
  deleted?: true;
  /** A pack version made by a deletion: what it lost (spec-events.ts DeletedReference). */
  detached?: { kind: 'query' | 'label' | 'team'; name: string };
  /** A deletion made by another's: a policy deleted with its team. */
  cascade?: { kind: 'query' | 'label' | 'team'; name: string };
}

export const historyKey = (kind: SpecKind, name: string, version: number) => `${kind}\u0000${name}\u0000${version}`;

/**
 * A deleted spec's last version, keyed by deletionKey(kind, name), while the name has no spec:
 * what keeps its history readable (the spec's document is gone) and an older event from
 * re-creating it. Removed when the name is applied again.
 */
export const SPEC_DELETIONS = 'spec_deletions';
export interface SpecDeletionDoc {
  id: number;
  name: string;
  version: number;
  deleted_at: string;
}

export const deletionKey = (kind: SpecKind, name: string) => `${kind}\u0000${name}`;

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

/** The organization as first-run setup named it (OrganizationSetUp). */
export const ORGANIZATION_KEY = 'organization';
export interface OrganizationDoc {
  org_name: string;
  server_url: string;
}

/** The whole application config (shared/domain/organization/app-config.ts AppConfig), secrets included: redact on read. */
export const APP_CONFIG_KEY = 'app_config';

export const GLOBAL_ENROLL_SECRETS_KEY = 'enroll_secrets';
export interface EnrollSecretsDoc {
  secrets: EnrollSecret[];
}

/**
 * Check-in bookkeeping per host, written by the agent API (not projected from events, and not
 * generation-scoped: a rebuild keeps it). Keyed by String(host id).
 */
export const HOST_PRESENCE = 'host_presence';
export interface HostPresenceDoc {
  host_id: number;
  seen_time: string;
  /** The host's distributed interval when it last checked in, for its online status. */
  check_in_interval_s: number;
  /** When the host last answered detail, label and policy queries (ms since the epoch, 0 = never). */
  details_at: number;
  labels_at: number;
  policies_at: number;
}

/** One enrolled host, keyed by String(host id). */
export const HOSTS = 'hosts';
/** Host stream id → host id, so events after enrollment find their host. */
export const HOST_STREAMS = 'host_streams';
export interface HostDoc extends Partial<import('../domain/hosts/host-events').HostFacts> {
  id: number;
  host_identifier: string;
  team_id: number | null;
  created_at: string;
  updated_at: string;
  last_enrolled_at: string;
  /** Dynamic labels the host is a member of (manual labels go by hostname, at read time). */
  label_ids: number[];
  /** Policy id → passing. */
  policy_results: Record<string, boolean>;
  /** Revision of the last host-stream event applied (for idempotence). */
  revision: number;
  /** Fleet's display name (host-read-model.ts displayName), stored to sort by. */
  display_name?: string;
}
export interface HostStreamDoc {
  host_id: number;
}

/** Live query campaigns, keyed by String(campaign id); projected from the campaign streams. */
export const CAMPAIGNS = 'campaigns';

const CAMPAIGN_STATUSES = ['waiting', 'running', 'completed', 'stopped', 'expired'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A campaign is over in these states: no more results are expected. */
export const isFinalCampaignStatus = (status: CampaignStatus) =>
  status === 'completed' || status === 'stopped' || status === 'expired';

export interface CampaignDoc {
  id: number;
  query: string;
  query_id: number | null;
  user_id: number;
  status: CampaignStatus;
  /** As in CampaignCreated: hosts selected by id (old campaigns: every targeted host). */
  target_host_ids: number[];
  /** Dynamic labels and teams selected (campaign-events.ts CampaignCreated). */
  target_label_ids?: number[];
  target_team_ids?: number[];
  /** Fleet's `totals` frame, from CampaignCreated (computed then); `online` hosts are expected to answer. */
  totals: CampaignTotals;
  created_at: string;
  updated_at: string;
  /** After this, hosts no longer get the query and the campaign is ended as expired. */
  expires_at?: string;
  /** When it ended (completed, stopped or expired). */
  ended_at?: string;
  /** When its stored results were deleted after the retention period (RESULTS_RETENTION_DAYS). */
  results_deleted_at?: string;
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
