/**
 * The body of PATCH /api/v1/fleet/config: any part of Fleet's AppConfig (app-config.ts). As
 * Fleet decodes it (json.Decoder with DisallowUnknownFields into the stored config): a field it
 * does not know, or a value of the wrong type, is a 400 and nothing is applied; `null` is taken
 * everywhere (no change, or a cleared value where the field may be null). `smtp_settings.
 * configured` is Fleet's to set (after a test mail): accepted and dropped.
 */
import Joi from 'joi';
import { DomainError } from '../domain/errors';

const text = (max = 4096) => Joi.string().allow('').max(max).allow(null);
const flag = () => Joi.boolean().allow(null);
const count = () => Joi.number().integer().min(0).max(2_147_483_647).allow(null);
const section = (fields: Record<string, Joi.Schema>) => Joi.object(fields).unknown(false).allow(null);
const json = () => Joi.object().unknown(true).allow(null);

/** Go's time.Duration text, as Fleet prints it and fleetctl sends it back ("24h0m0s", "1h30m", "90s"). */
const duration = () => Joi.string().pattern(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/).allow(null);

export const modifyAppConfigBody = Joi.object({
  org_info: section({ org_name: text(255), org_logo_url: text() }),
  server_settings: section({ server_url: text(), live_query_disabled: flag(), enable_analytics: flag() }),
  smtp_settings: section({
    enable_smtp: flag(),
    configured: Joi.any().strip(),
    sender_address: text(),
    server: text(),
    port: Joi.number().integer().min(0).max(65535).allow(null),
    authentication_type: text(),
    user_name: text(),
    password: text(),
    enable_ssl_tls: flag(),
    authentication_method: text(),
    domain: text(),
    verify_ssl_certs: flag(),
    enable_start_tls: flag(),
  }),
  host_expiry_settings: section({ host_expiry_enabled: flag(), host_expiry_window: Joi.number().integer().min(-2_147_483_648).max(2_147_483_647).allow(null) }),
  host_settings: section({ enable_host_users: flag(), enable_software_inventory: flag(), additional_queries: json() }),
  agent_options: json(),
  sso_settings: section({
    entity_id: text(),
    issuer_uri: text(),
    idp_image_url: text(),
    metadata: text(1_048_576),
    metadata_url: text(),
    idp_name: text(),
    enable_sso: flag(),
    enable_sso_idp_login: flag(),
  }),
  vulnerability_settings: section({ databases_path: text() }),
  webhook_settings: section({
    host_status_webhook: section({ enable_host_status_webhook: flag(), destination_url: text(), host_percentage: Joi.number().min(0).max(100).allow(null), days_count: count() }),
    failing_policies_webhook: section({
      enable_failing_policies_webhook: flag(),
      destination_url: text(),
      policy_ids: Joi.array().items(Joi.number().integer().min(1)).max(100_000).allow(null),
      host_batch_size: count(),
    }),
    interval: duration(),
  }),
}).unknown(false);

/** The validated patch, or Fleet's 400 naming every problem; nothing is applied either way until it passes. */
export function parseAppConfigPatch(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('bad_request', 'the config patch must be a JSON object', [{ name: 'base', reason: 'the config patch must be a JSON object' }]);
  }
  const { error, value } = modifyAppConfigBody.validate(body, { abortEarly: false, convert: false });
  if (error) {
    const problems = error.details.map((detail) => ({ name: detail.path.join('.') || 'base', reason: detail.message.replace(/"/g, "'") }));
    throw new DomainError('bad_request', problems.map((problem) => problem.reason).join('; '), problems);
  }
  return value as Record<string, unknown>;
}
