/**
 * Fleet's application config (server/fleet/app.go AppConfig, v4.10-v4.12): the settings an admin
 * edits with PATCH /config and `fleetctl apply` of `kind: config`, and their defaults.
 *
 * A patch merges as Fleet's decode into the stored config does: an object merges field by field,
 * anything else (a scalar, an array, `agent_options`, `additional_queries`) is a leaf and replaces
 * what was there; `null` clears a leaf that may be null and leaves every other field as it was
 * (Go decodes null into a struct or a scalar as no change). Pure functions, shared by the decider,
 * the projection and the agent view, so all three fold the same events to the same config.
 */

export interface AppConfig {
  org_info: { org_name: string; org_logo_url: string };
  server_settings: { server_url: string; live_query_disabled: boolean; enable_analytics: boolean };
  smtp_settings: {
    enable_smtp: boolean;
    configured: boolean;
    sender_address: string;
    server: string;
    port: number;
    authentication_type: string;
    user_name: string;
    password: string;
    enable_ssl_tls: boolean;
    authentication_method: string;
    domain: string;
    verify_ssl_certs: boolean;
    enable_start_tls: boolean;
  };
  host_expiry_settings: { host_expiry_enabled: boolean; host_expiry_window: number };
  host_settings: { enable_host_users: boolean; enable_software_inventory: boolean; additional_queries: Record<string, unknown> | null };
  /** The global agent options: what hosts without a team (or of a team without any) are configured with. */
  agent_options: Record<string, unknown> | null;
  sso_settings: {
    entity_id: string;
    issuer_uri: string;
    idp_image_url: string;
    metadata: string;
    metadata_url: string;
    idp_name: string;
    enable_sso: boolean;
    enable_sso_idp_login: boolean;
  };
  vulnerability_settings: { databases_path: string };
  webhook_settings: {
    host_status_webhook: { enable_host_status_webhook: boolean; destination_url: string; host_percentage: number; days_count: number };
    failing_policies_webhook: { enable_failing_policies_webhook: boolean; destination_url: string; policy_ids: number[] | null; host_batch_size: number };
    interval: string;
  };
}

/** Fields whose value is opaque JSON: replaced whole by a patch, never merged into. */
export const OPAQUE_FIELDS: ReadonlySet<string> = new Set(['agent_options', 'host_settings.additional_queries']);

/** Fleet's default global agent options (what `fleet prepare db` stores). */
export const DEFAULT_AGENT_OPTIONS: Record<string, unknown> = {
  config: {
    options: {
      pack_delimiter: '/',
      logger_plugin: 'tls',
      logger_tls_endpoint: '/api/v1/osquery/log',
      logger_tls_period: 10,
      distributed_plugin: 'tls',
      disable_distributed: false,
      distributed_interval: 10,
      distributed_tls_max_attempts: 3,
    },
    decorators: { load: ['SELECT uuid AS host_uuid FROM system_info;', 'SELECT hostname AS hostname FROM system_info;'] },
  },
  overrides: {},
};

export const DEFAULT_APP_CONFIG: AppConfig = {
  org_info: { org_name: '', org_logo_url: '' },
  server_settings: { server_url: '', live_query_disabled: false, enable_analytics: false },
  smtp_settings: {
    enable_smtp: false,
    configured: false,
    sender_address: '',
    server: '',
    port: 587,
    authentication_type: 'authtype_username_password',
    user_name: '',
    password: '',
    enable_ssl_tls: true,
    authentication_method: 'authmethod_plain',
    domain: '',
    verify_ssl_certs: true,
    enable_start_tls: true,
  },
  host_expiry_settings: { host_expiry_enabled: false, host_expiry_window: 0 },
  host_settings: { enable_host_users: true, enable_software_inventory: false, additional_queries: null },
  agent_options: DEFAULT_AGENT_OPTIONS,
  sso_settings: { entity_id: '', issuer_uri: '', idp_image_url: '', metadata: '', metadata_url: '', idp_name: '', enable_sso: false, enable_sso_idp_login: false },
  vulnerability_settings: { databases_path: '' },
  webhook_settings: {
    host_status_webhook: { enable_host_status_webhook: false, destination_url: '', host_percentage: 0, days_count: 0 },
    failing_policies_webhook: { enable_failing_policies_webhook: false, destination_url: '', policy_ids: null, host_batch_size: 0 },
    interval: '24h0m0s',
  },
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether the field at `path` holds a nested settings object (merged into) rather than a leaf. */
function isSection(path: string, current: unknown): boolean {
  return !OPAQUE_FIELDS.has(path) && isObject(current);
}

/** The field at `path` may be null (Go pointer, slice or raw JSON). */
function nullable(path: string): boolean {
  return OPAQUE_FIELDS.has(path) || path === 'webhook_settings.failing_policies_webhook.policy_ids';
}

function mergeAt(base: Json, patch: Json, prefix: string): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(base, key)) continue; // a validated patch names only known fields
    const path = prefix + key;
    if (isSection(path, base[key])) {
      if (isObject(value)) merged[key] = mergeAt(base[key] as Json, value, `${path}.`);
    } else if (value !== null || nullable(path)) {
      merged[key] = structuredClone(value);
    }
  }
  return merged;
}

/** The config with the patch merged in (neither is changed). */
export function mergeAppConfig(config: AppConfig, patch: Json): AppConfig {
  return mergeAt(config as unknown as Json, patch, '') as unknown as AppConfig;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What changed from `before` to `after`: the dotted paths of the changed leaves, and a patch of
 * just those leaves (merging it into `before` gives `after`).
 */
export function appConfigChanges(before: AppConfig, after: AppConfig): { changed: string[]; patch: Json } {
  const changed: string[] = [];
  const walk = (a: Json, b: Json, prefix: string): Json => {
    const patch: Json = {};
    for (const key of Object.keys(b)) {
      const path = prefix + key;
      if (isSection(path, a[key]) && isObject(b[key])) {
        const inner = walk(a[key] as Json, b[key] as Json, `${path}.`);
        if (Object.keys(inner).length > 0) patch[key] = inner;
      } else if (!sameJson(a[key], b[key])) {
        changed.push(path);
        patch[key] = structuredClone(b[key]);
      }
    }
    return patch;
  };
  const patch = walk(before as unknown as Json, after as unknown as Json, '');
  return { changed, patch };
}
