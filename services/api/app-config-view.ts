/**
 * GET /config and PATCH /config's answer, in Fleet's shape (appConfigResponse: the AppConfig's
 * sections at the top level, then `update_interval`, `vulnerabilities`, `license`).
 *
 * Invariants: what a role may not read (canReadRestrictedAppConfig) is answered as Fleet answers
 * it to a non-admin: `smtp_settings`, `sso_settings`, `host_expiry_settings` zero-valued, no
 * `agent_options`; the SMTP password is never shown, only masked ("********") when one is set.
 */
import { canReadRestrictedAppConfig, type GlobalRole } from '../../shared/domain/users/roles';
import type { AppConfig } from '../../shared/domain/organization/app-config';

const MASK = '********';
const SECOND_NS = 1_000_000_000;

export interface ServerIntervals {
  hostDetailIntervalSeconds: number;
  hostPolicyIntervalSeconds: number;
}

function zeroed<T extends Record<string, unknown>>(section: T): T {
  const zero = (value: unknown): unknown => (typeof value === 'boolean' ? false : typeof value === 'number' ? 0 : typeof value === 'string' ? '' : null);
  return Object.fromEntries(Object.entries(section).map(([key, value]) => [key, zero(value)])) as T;
}

export function renderAppConfig(config: AppConfig, role: GlobalRole, intervals: ServerIntervals): object {
  const restricted = canReadRestrictedAppConfig(role);
  const { agent_options: agentOptions, smtp_settings: smtp, sso_settings: sso, host_expiry_settings: expiry, ...open } = config;
  return {
    org_info: open.org_info,
    server_settings: open.server_settings,
    smtp_settings: restricted ? { ...smtp, password: smtp.password === '' ? '' : MASK } : zeroed(smtp),
    host_expiry_settings: restricted ? expiry : zeroed(expiry),
    host_settings: open.host_settings,
    ...(restricted && agentOptions !== null ? { agent_options: agentOptions } : {}),
    sso_settings: restricted ? sso : zeroed(sso),
    vulnerability_settings: open.vulnerability_settings,
    webhook_settings: open.webhook_settings,
    // Fleet's durations are Go time.Duration: nanoseconds.
    update_interval: { osquery_detail: intervals.hostDetailIntervalSeconds * SECOND_NS, osquery_policy: intervals.hostPolicyIntervalSeconds * SECOND_NS },
    vulnerabilities: null,
    license: { tier: 'free', organization: '', device_count: 0, expiration: '0001-01-01T00:00:00Z', note: '' },
  };
}
