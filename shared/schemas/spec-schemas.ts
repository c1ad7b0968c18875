/**
 * Request bodies of Fleet's spec API. Unknown fields are refused; the fields of Fleet's own types
 * that its clients send back (a secret's `created_at` and `team_id`, a pack's `platform`) are
 * accepted, as Fleet's JSON decoder does; defaults follow Fleet.
 */
import Joi from 'joi';

export const MAX_NAME_LENGTH = 255;
const MAX_SQL_LENGTH = 65_536;
const MAX_SPECS_PER_REQUEST = 5_000;

/** A non-blank name without control characters. */
const nameSchema = Joi.string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .pattern(/\S/, 'not blank')
  .pattern(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');

const text = (max = 65_536) => Joi.string().allow('').max(max);
const sql = Joi.string().max(MAX_SQL_LENGTH);
const nameList = Joi.array().items(nameSchema).max(10_000);

const uniqueByName = (items: Joi.Schema) =>
  Joi.array().items(items).max(MAX_SPECS_PER_REQUEST).unique('name').messages({ 'array.unique': 'two specs in the request have the same name' });

/**
 * A query spec. Later fleetctl releases marshal Fleet's whole QuerySpec (cmd/fleetctl/get_test.go
 * of v4.5x: team, interval, observer_can_run, platform, min_osquery_version, automations_enabled,
 * logging, discard_data). Logbook's saved queries are global and run live or from packs, so
 * `team` must be "" and `interval` 0 (a team query or Fleet's own query schedule is refused, not
 * dropped); the other scheduling options mean nothing for an unscheduled query and are accepted
 * and not kept.
 */
const querySpecSchema = Joi.object({
  name: nameSchema.required(),
  description: text().default(''),
  query: sql.min(1).required(),
  observer_can_run: Joi.boolean(),
  team: Joi.string().valid('').strip().messages({ 'any.only': 'team queries are not supported: apply the query without a team' }),
  interval: Joi.number().valid(0).strip().messages({ 'any.only': "queries are scheduled through packs: Fleet's query interval must be 0" }),
  platform: text(255).strip(),
  min_osquery_version: text(64).strip(),
  automations_enabled: Joi.boolean().strip(),
  logging: Joi.string().valid('', 'snapshot', 'differential', 'differential_ignore_removals').strip(),
  discard_data: Joi.boolean().strip(),
});

const packQuerySchema = Joi.object({
  query: nameSchema.required(),
  name: nameSchema.default(Joi.ref('query')),
  description: text().default(''),
  interval: Joi.number().integer().min(1).max(604_800).required(),
  snapshot: Joi.boolean().default(false),
  removed: Joi.boolean().default(true),
  platform: text(255).default(''),
  version: text(64).default(''),
  shard: Joi.number().integer().min(0).max(100).allow(null).default(null),
  denylist: Joi.boolean().allow(null).default(null),
});

const packSpecSchema = Joi.object({
  id: Joi.number().integer(),
  name: nameSchema.required(),
  description: text().default(''),
  platform: text(255),
  disabled: Joi.boolean().default(false),
  targets: Joi.object({
    labels: nameList.allow(null).default(null),
    teams: nameList.allow(null).default(null),
  }).default({ labels: null, teams: null }),
  queries: Joi.array()
    .items(packQuerySchema)
    .max(10_000)
    .unique('name')
    .messages({ 'array.unique': 'two queries in the pack have the same name' })
    .default([]),
});

const labelSpecSchema = Joi.object({
  id: Joi.number().integer(),
  name: nameSchema.required(),
  description: text().default(''),
  query: sql.allow('').default(''),
  platform: text(255).default(''),
  label_type: Joi.string().valid('regular', 'builtin'),
  label_membership_type: Joi.string().valid('dynamic', 'manual').default('dynamic'),
  // Later fleetctl releases marshal a dynamic label's nil host list as `"hosts": null`: as absent.
  hosts: Joi.array().items(nameSchema).max(100_000).allow(null).empty(null),
});

const policySpecSchema = Joi.object({
  id: Joi.number().integer(),
  name: nameSchema.required(),
  description: text().default(''),
  query: sql.min(1).required(),
  resolution: text().default(''),
  platform: text(255).default(''),
  team: Joi.string().allow('').max(MAX_NAME_LENGTH).default(''),
});

/**
 * Fleet's EnrollSecret: fleetctl sends `created_at` (Go's zero time for a secret read from YAML) and
 * may send `team_id`; Fleet keeps neither from the request (it stamps its own time and the team of
 * the route), and neither does Logbook.
 */
const enrollSecretSchema = Joi.object({
  secret: Joi.string().min(1).max(255).required(),
  created_at: Joi.string().isoDate().allow(null).strip(),
  team_id: Joi.number().integer().min(0).allow(null).strip(),
});

const teamSpecSchema = Joi.object({
  name: nameSchema.required(),
  agent_options: Joi.object().unknown(true).allow(null).default(null),
  // fleetctl marshals a team without secrets as `"secrets": null` (a nil Go slice): as absent.
  secrets: Joi.array().items(enrollSecretSchema).max(1_000).allow(null).empty(null).default([]),
});

const specsBody = (item: Joi.Schema) => Joi.object({ specs: uniqueByName(item).required() });

export const applyQueriesBody = specsBody(querySpecSchema);
export const applyPacksBody = specsBody(packSpecSchema);
export const applyLabelsBody = specsBody(labelSpecSchema);
export const applyPoliciesBody = specsBody(policySpecSchema);
export const applyTeamsBody = specsBody(teamSpecSchema);

export const applyEnrollSecretsBody = Joi.object({
  spec: Joi.object({
    secrets: Joi.array().items(enrollSecretSchema).max(1_000).required(),
  }).required(),
});
