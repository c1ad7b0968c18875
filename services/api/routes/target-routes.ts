/**
 * Fleet's fleet-wide host views: GET /host_summary (counts by status and platform) and
 * POST /targets (the target search a live query form makes). Both read the hosts through
 * host-queries.ts (counters, indexes) and the selection through campaign-targets.ts: no scan.
 */
import { Router } from 'express';
import Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { canSeeHosts } from '../../../shared/domain/users/roles';
import { specCollection, type SpecDoc } from '../../../shared/read-models/read-model-types';
import { validate, validateParameters } from '../../../shared/schemas/validate';
import type { ApiDeps } from '../api-deps';
import { CampaignTargets } from '../campaign-targets';
import { HostQueries } from '../host-queries';
import { summarizeHosts } from '../host-summary';
import { SEARCH_LIMIT, searchTargets, type TargetSearch } from '../target-search';

const MAY_NOT_SEE_HOSTS = 'your role may not see hosts';
const ids = Joi.array().items(Joi.number().integer().min(1)).max(100_000).allow(null);

const summaryQuery = Joi.object({ team_id: Joi.number().integer().min(0) }).unknown(false);

/** Fleet's searchTargetsRequest: `query` (search text), `query_id` (accepted), `selected`. */
const targetsBody = Joi.object({
  query: Joi.string().allow('').max(255).default(''),
  query_id: Joi.number().integer().min(1).allow(null),
  selected: Joi.object({ hosts: ids, labels: ids, teams: ids }).default({}),
}).unknown(false);

export function targetRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hosts = new HostQueries(deps.readModels);
  const campaignTargets = new CampaignTargets(deps.readModels);
  const labels = () => deps.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find();

  router.get('/host_summary', async (req, res) => {
    const { team_id: teamId } = validateParameters<{ team_id?: number }>(summaryQuery, req.query);
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    const [counts, all] = await Promise.all([hosts.summaryCounts(teamId), labels()]);
    const builtin = all.filter((label) => label.builtin).sort((a, b) => a.id - b.id);
    res.json(summarizeHosts(counts, builtin, teamId));
  });

  router.post('/targets', async (req, res) => {
    const search = validate<TargetSearch>(targetsBody, req.body ?? {});
    authorize(res, canSeeHosts, MAY_NOT_SEE_HOSTS);
    const omitted = search.selected.hosts?.length ?? 0;
    const [listed, labelDocs, teams, targeted] = await Promise.all([
      hosts.list({ query: search.query.trim() || undefined }, { key: 'id', descending: false }, { skip: 0, limit: SEARCH_LIMIT + omitted }),
      labels(),
      deps.readModels.collection<SpecDoc<'team'>>(specCollection('team')).find(),
      campaignTargets.totalsByIds(search.selected),
    ]);
    const [labelCounts, teamCounts] = await Promise.all([hosts.labelCounts(labelDocs), hosts.teamCounts(teams)]);
    res.json(
      searchTargets(search, { hosts: listed, labels: labelDocs.sort((a, b) => a.id - b.id), teams: teams.sort((a, b) => a.id - b.id), labelCounts, teamCounts, targeted }),
    );
  });

  return router;
}
