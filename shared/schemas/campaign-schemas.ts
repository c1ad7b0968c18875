/** Bodies of POST /api/v1/fleet/queries/run and /queries/run_by_names. */
import Joi from 'joi';

const MAX_SQL = 100_000;
const MAX_TARGETS = 100_000;

const ids = Joi.array().items(Joi.number().integer().min(1)).max(MAX_TARGETS).allow(null);
/**
 * Names by which hosts and labels are targeted. An empty name is accepted and targets nothing, as
 * in Fleet: `fleetctl query` splits an empty --hosts or --labels flag into [""].
 */
const names = Joi.array().items(Joi.string().allow('').max(255)).max(MAX_TARGETS).allow(null);

const queryChoice = {
  query: Joi.string().trim().min(1).max(MAX_SQL),
  query_id: Joi.number().integer().min(1).allow(null),
};

export const runCampaignBody = Joi.object({
  ...queryChoice,
  selected: Joi.object({ hosts: ids, labels: ids, teams: ids }).required(),
})
  .or('query', 'query_id')
  .unknown(false);

export const runCampaignByNamesBody = Joi.object({
  ...queryChoice,
  selected: Joi.object({ hosts: names, labels: names }).required(),
})
  .or('query', 'query_id')
  .unknown(false);

export interface RunCampaignBody {
  query?: string;
  query_id?: number | null;
  selected: { hosts?: number[] | null; labels?: number[] | null; teams?: number[] | null };
}

export interface RunCampaignByNamesBody {
  query?: string;
  query_id?: number | null;
  selected: { hosts?: string[] | null; labels?: string[] | null };
}
