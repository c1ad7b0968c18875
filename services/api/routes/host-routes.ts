/** Fleet's host endpoints: list and get hosts, a label's hosts, policies with host counts. */
import { Router, type Request } from 'express';
import Joi from 'joi';
import { DomainError } from '../../../shared/domain/errors';
import type { PolicySpec, TeamSpec } from '../../../shared/domain/specs/spec-types';
import { specCollection, type SpecDoc } from '../../../shared/read-models/read-model-types';
import { validateParameters } from '../../../shared/schemas/validate';
import type { ApiDeps } from '../api-deps';
import { HostQueries, renderPolicy, type FleetHost, type HostFilters } from '../host-queries';

const listQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(10_000).default(100),
  label_id: Joi.number().integer().min(1),
  team_id: Joi.number().integer().min(0),
  status: Joi.string().valid('online', 'offline', 'mia', 'new'),
  query: Joi.string().allow('').max(255),
  order_key: Joi.string().valid('id'),
  order_direction: Joi.string().valid('asc', 'desc').default('asc'),
}).unknown(false);

const idParam = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).required();

function parseId(value: string): number {
  return validateParameters<number>(idParam, value, 'id');
}

interface ListParams extends HostFilters {
  page: number;
  perPage: number;
  descending: boolean;
}

function parseList(req: Request): ListParams {
  const value = validateParameters<Record<string, any>>(listQuery, req.query);
  return {
    page: value.page,
    perPage: value.per_page,
    descending: value.order_direction === 'desc',
    labelId: value.label_id,
    teamId: value.team_id,
    status: value.status,
    query: value.query || undefined,
  };
}

function paginate(hosts: FleetHost[], params: ListParams): FleetHost[] {
  const ordered = params.descending ? [...hosts].reverse() : hosts;
  return ordered.slice(params.page * params.perPage, (params.page + 1) * params.perPage);
}

async function teamIdsByName(deps: ApiDeps): Promise<Map<string, number>> {
  const teams = await deps.readModels.collection<SpecDoc<'team'>>(specCollection('team')).find();
  return new Map(teams.map((team) => [(team.spec as TeamSpec).name, team.id]));
}

export function hostRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hosts = new HostQueries(deps.readModels);

  router.get('/hosts', async (req, res) => {
    const params = parseList(req);
    res.json({ hosts: paginate(await hosts.list(params), params) });
  });

  router.get('/hosts/:id', async (req, res) => {
    const found = await hosts.get(parseId(req.params.id));
    if (!found) throw new DomainError('not_found', `Host ${req.params.id} was not found`);
    const { doc, ...host } = found;
    const teamName = host.team_name;
    const policies = (await hosts.policies())
      .filter((policy) => (policy.spec as PolicySpec).team === '' || (policy.spec as PolicySpec).team === teamName)
      .map((policy) => {
        const result = doc.policy_results[String(policy.id)];
        const spec = policy.spec as PolicySpec;
        return { id: policy.id, name: spec.name, query: spec.query, description: spec.description, resolution: spec.resolution, platform: spec.platform, response: result === undefined ? '' : result ? 'pass' : 'fail' };
      });
    res.json({ host: { ...host, policies } });
  });

  router.get('/labels/:id/hosts', async (req, res) => {
    const labelId = parseId(req.params.id);
    const labels = await deps.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find({ where: { id: labelId } });
    if (labels.length === 0) throw new DomainError('not_found', `Label ${req.params.id} was not found`);
    const params = parseList(req);
    res.json({ hosts: paginate(await hosts.list({ ...params, labelId }), params) });
  });

  router.get('/policies', async (_req, res) => {
    const [policies, counts, teamIds] = await Promise.all([hosts.policies(), hosts.policyCounts(), teamIdsByName(deps)]);
    res.json({ policies: policies.map((policy) => renderPolicy(policy, teamIds, counts.get(policy.id))) });
  });

  return router;
}
