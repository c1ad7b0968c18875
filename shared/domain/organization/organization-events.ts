/** Events of the organization's settings stream. Persisted: never change them. */
import type { AppConfig } from './app-config';

export const ORGANIZATION_SET_UP = 'OrganizationSetUp';
export interface OrganizationSetUp {
  org_name: string;
  server_url: string;
}

/**
 * An admin changed the application config (PATCH /config, `fleetctl apply` of `kind: config`).
 * `patch` holds exactly the changed leaves with their new values (merged as app-config.ts merges;
 * a secret such as the SMTP password is kept here, as the log is what the config is rebuilt
 * from, and redacted wherever it is read); `changed` names them as dotted paths. Never appended
 * when nothing changed.
 */
export const APP_CONFIG_MODIFIED = 'AppConfigModified';
export interface AppConfigModified {
  patch: Partial<Record<keyof AppConfig, unknown>>;
  changed: string[];
}

export type OrganizationEvent = { type: typeof ORGANIZATION_SET_UP; data: OrganizationSetUp } | { type: typeof APP_CONFIG_MODIFIED; data: AppConfigModified };

export const ORGANIZATION_EVENT_TYPES = [ORGANIZATION_SET_UP, APP_CONFIG_MODIFIED] as const;

export function isOrganizationEventType(type: string): type is OrganizationEvent['type'] {
  return (ORGANIZATION_EVENT_TYPES as readonly string[]).includes(type);
}
