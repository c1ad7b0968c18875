/**
 * Fleet's host endpoints: list, count and get hosts, a label's hosts, policies (all, the global
 * ones, or a team's; one of a team's) with host counts.
 */
import { Router, type Request, type Response } from 'express';
import Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { DomainError, notFoundInDatastore } from '../../../shared/domain/errors';
import { canReadPolicies, canSeeHosts } from '../../../shared/domain/users/roles';
import type { PolicySpec } from '../../../shared/domain/specs/spec-types';
import { specCollection, type SpecDoc } from '../../../shared/read-models/read-model-types';
import { validateParameters } from '../../../shared/schemas/validate';
import type { ApiDeps } from '../api-deps';
import { HOST_SORT_KEYS } from '../../../shared/read-models/host-read-model';
import { HostQueries, type HostFilters, type HostOrder, type PageWindow } from '../host-queries';
import { renderHostPolicy, renderPolicy } from '../rendering';
import { specById } from '../spec-reads';

const MAY_NOT_SEE_HOSTS = 'your role may not see hosts';

const listQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(10_000).default(100),
  label_id: Joi.number().integer().min(1),
  team_id: Joi.number().integer().min(0),
  status: Joi.string().valid('online', 'offline', 'mia', 'new'),
  platform: Joi.string().allow('').max(255),
  query: Joi.string().allow('').max(255),
  order_key: Joi.string().valid(...HOST_SORT_KEYS, 'seen_time'),
  order_direction: Joi.string().valid('asc', 'desc').default('asc'),
  // fleetctl get hosts asks for `additional_info_filters=*`; Logbook collects no additional host
  // queries, so every host's `additional` is absent, as Fleet's is for a host without any.
  additional_info_filters: Joi.string().allow('').max(1024),
}).unknown(false);

const identifierParam = Joi.string().min(1).max(255).required();
const idParam = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).required();

function parseId(value: string): number {
  return validateParameters<number>(idParam, value, 'id');
}

interface ListParams {
  filters: HostFilters;
  order: HostOrder;
  window: PageWindow;
}

function parseList(req: Request): ListParams {
  const value = validateParameters<Record<string, any>>(listQuery, req.query);
  return {
    filters: {
      labelId: value.label_id,
      teamId: value.team_id,
      platform: value.platform || undefined,
      status: value.status,
      query: value.query || undefined,
    },
    order: { key: value.order_key ?? 'id', descending: value.order_direction === 'desc' },
    window: { skip: value.page * value.per_page, limit: value.per_page },
  };
}

export function hostRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hosts = new HostQueries(deps.readModels);

  router.get('/hosts', async (req, res) => {
    const { filters, order, window } = parseList(req);
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    res.json({ hosts: await hosts.list(filters, order, window) });
  });

  // Fleet's countHostsEndpoint: the filters of GET /hosts (its paging is accepted and ignored).
  // Declared before /hosts/:id, which would take "count" for an id.
  router.get('/hosts/count', async (req, res) => {
    const { filters } = parseList(req);
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    res.json({ count: await hosts.count(filters) });
  });

  const sendHost = async (res: Response, found: Awaited<ReturnType<HostQueries['get']>>, asked: string) => {
    if (!found) throw new DomainError('not_found', `Host ${asked} was not found`);
    const { doc, ...host } = found;
    const policies = await hosts.policiesOf(host);
    res.json({ host: { ...host, policies: policies.map((policy) => renderHostPolicy(policy, doc.policy_results[String(policy.id)])) } });
  };

  router.get('/hosts/identifier/:identifier', async (req, res) => {
    const identifier = validateParameters<string>(identifierParam, req.params.identifier, 'identifier');
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    await sendHost(res, await hosts.byIdentifier(identifier), identifier);
  });

  router.get('/hosts/:id', async (req, res) => {
    const id = parseId(req.params.id);
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    await sendHost(res, await hosts.get(id), req.params.id);
  });

  router.get('/labels/:id/hosts', async (req, res) => {
    const labelId = parseId(req.params.id);
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    const labels = await deps.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find({ where: { id: labelId } });
    if (labels.length === 0) throw new DomainError('not_found', `Label ${req.params.id} was not found`);
    const { filters, order, window } = parseList(req);
    res.json({ hosts: await hosts.list({ ...filters, labelId }, order, window) });
  });

  const MAY_NOT_READ_POLICIES = 'your role may not read the policies';
  const listing = async () => {
    const [policies, counts, teamIds] = await Promise.all([hosts.policies(), hosts.policyCounts(), hosts.teamIdsByName()]);
    return { policies, render: (policy: SpecDoc<'policy'>) => renderPolicy(policy, { teamIds, counts: counts.get(policy.id) }) };
  };
  const teamById = (id: number) => specById(deps.readModels, 'team', id);
  const teamIdOf = (req: Request) => validateParameters<number>(idParam, req.params.team_id, 'team_id');

  const listPolicies = (globalOnly: boolean) => async (_req: Request, res: Response) => {
    authorize(res, canReadPolicies, MAY_NOT_READ_POLICIES);
    const { policies, render } = await listing();
    const listed = globalOnly ? policies.filter((policy) => (policy.spec as PolicySpec).team === '') : policies;
    res.json({ policies: listed.map(render) });
  };
  router.get('/policies', listPolicies(false));
  // Fleet's listGlobalPoliciesEndpoint: the policies of no team, in GET /policies' shape.
  router.get('/global/policies', listPolicies(true));

  // Fleet's listTeamPoliciesEndpoint: the team's policies, in GET /policies' shape; 404 `Team <id>
  // was not found in the datastore` (Fleet loads the team first). No `inherited_policies`: Fleet
  // counts a global policy's hosts of the team there, and Logbook keeps fleet-wide counts only.
  router.get('/teams/:team_id/policies', async (req, res) => {
    authorize(res, canReadPolicies, MAY_NOT_READ_POLICIES);
    const teamId = teamIdOf(req);
    const team = await teamById(teamId);
    if (!team) throw notFoundInDatastore('Team', teamId);
    const { policies, render } = await listing();
    res.json({ policies: policies.filter((policy) => (policy.spec as PolicySpec).team === team.spec.name).map(render) });
  });

  // Fleet's getTeamPolicyByIDEndpoint: one policy of the team. Fleet reads it by team and id in
  // one query, so an unknown team and another team's (or a global) policy are both
  // `Policy <id> was not found in the datastore`.
  router.get('/teams/:team_id/policies/:policy_id', async (req, res) => {
    authorize(res, canReadPolicies, MAY_NOT_READ_POLICIES);
    const teamId = teamIdOf(req);
    const policyId = validateParameters<number>(idParam, req.params.policy_id, 'policy_id');
    const [team, { policies, render }] = await Promise.all([teamById(teamId), listing()]);
    const policy = team && policies.find((candidate) => candidate.id === policyId && (candidate.spec as PolicySpec).team === team.spec.name);
    if (!policy) throw notFoundInDatastore('Policy', policyId);
    res.json({ policy: render(policy) });
  });

  return router;
}
