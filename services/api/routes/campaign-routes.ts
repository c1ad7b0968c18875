/**
 * Live query campaigns: list the saved queries, run one (by ids or by names), read a campaign's
 * state and results, stop it. Each route parses, authorizes (rules in shared/domain/users/roles.ts),
 * calls (campaign-targets, campaign-service) and renders (rendering, campaign-results).
 */
import { Router, type Request, type Response } from 'express';
import Joi from 'joi';
import { currentUser } from '../../../shared/auth/authenticator';
import { authorize } from '../../../shared/auth/authorize';
import { readStoreResults } from '../../../shared/campaigns/campaign-results-store';
import { forbidden, notFound } from '../../../shared/domain/errors';
import type { QuerySpec } from '../../../shared/domain/specs/spec-types';
import { canListCampaigns, canReadQueries, canRunAdHocQueries, canRunSavedQuery, canSeeCampaign, canStopAnyCampaign } from '../../../shared/domain/users/roles';
import type { CampaignDoc } from '../../../shared/read-models/read-model-types';
import { runCampaignBody, runCampaignByNamesBody, type RunCampaignBody, type RunCampaignByNamesBody } from '../../../shared/schemas/campaign-schemas';
import { validate, validateParameters } from '../../../shared/schemas/validate';
import { userCommandContext, type ApiDeps } from '../api-deps';
import { resultsAsCsv, resultsDeleted, resultsPage } from '../campaign-results';
import { campaignById, listCampaigns, savedQueries, savedQuery, startCampaign, stopCampaign } from '../campaign-service';
import { CampaignTargets } from '../campaign-targets';
import type { TargetSet } from '../campaign-targets';
import type { FleetHost } from '../host-queries';
import { renderCampaign, renderCampaignDetail, renderCampaignSummary, renderSavedQuery, renderStartedCampaign } from '../rendering';

const resultsPageQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(10_000).default(100),
}).unknown(false);

const campaignListQuery = Joi.object({
  page: Joi.number().integer().min(0).max(100_000).default(0),
  per_page: Joi.number().integer().min(1).max(500).default(50),
  host_id: Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER),
}).unknown(false);

const MAY_NOT_RUN = 'observers may run only saved queries that allow observers to run them';

interface QueryToRun {
  sql: string;
  queryId: number | null;
}

/** A campaign id from the path, or null when it cannot name a campaign (answered 404 like an unknown one). */
function parseCampaignId(raw: string): number | null {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}

export function campaignRoutes(deps: ApiDeps): Router {
  const router = Router();
  const targets = new CampaignTargets(deps.readModels);
  const results = readStoreResults(deps.readModels.store);

  /** The SQL to run: a saved query (404 if unknown, then its rule) or ad-hoc SQL (its rule). */
  async function queryToRun(res: Response, body: { query?: string; query_id?: number | null }): Promise<QueryToRun> {
    const role = currentUser(res).global_role;
    if (body.query_id) {
      const saved = await savedQuery(deps.readModels, body.query_id);
      if (!saved) throw notFound(`query ${body.query_id}`);
      const spec = saved.spec as QuerySpec;
      if (!canRunSavedQuery(role, spec)) throw forbidden(MAY_NOT_RUN);
      return { sql: spec.query, queryId: saved.id };
    }
    authorize(res, canRunAdHocQueries, MAY_NOT_RUN);
    return { sql: body.query!, queryId: null };
  }

  async function start(req: Request, res: Response, query: QueryToRun, hosts: TargetSet): Promise<void> {
    const doc = await startCampaign(deps, { ...query, userId: currentUser(res).id, targets: hosts }, userCommandContext(req, res));
    res.json({ campaign: renderStartedCampaign(doc) });
  }

  /** The campaign, if it exists (else 404) and the user may see it (else 403). */
  async function visibleCampaign(res: Response, rawId: string): Promise<CampaignDoc> {
    const id = parseCampaignId(rawId);
    const doc = id === null ? null : await campaignById(deps.readModels, id);
    if (!doc) throw notFound(`campaign ${rawId}`);
    if (!canSeeCampaign(currentUser(res), doc)) throw forbidden('observers can see only the campaigns they ran');
    return doc;
  }

  router.get('/queries', async (_req, res) => {
    authorize(res, canReadQueries, 'your role may not read the saved queries');
    res.json({ queries: (await savedQueries(deps.readModels)).map(renderSavedQuery) });
  });

  router.post('/queries/run', async (req, res) => {
    const body = validate<RunCampaignBody>(runCampaignBody, req.body);
    const query = await queryToRun(res, body);
    await start(req, res, query, await targets.byIds(body.selected));
  });

  router.post('/queries/run_by_names', async (req, res) => {
    const body = validate<RunCampaignByNamesBody>(runCampaignByNamesBody, req.body);
    const query = await queryToRun(res, body);
    await start(req, res, query, await targets.byNames(body.selected));
  });

  // Newest first; observers get their own only (canSeeCampaign). Declared before /campaigns/:id.
  router.get('/campaigns', async (req, res) => {
    const query = validateParameters<{ page: number; per_page: number; host_id?: number }>(campaignListQuery, req.query);
    const user = authorize(res, canListCampaigns, 'your role may not list campaigns');
    const ownOnly = canSeeCampaign(user, { user_id: -1 }) ? undefined : user.id;
    const found = await listCampaigns(deps.readModels, { ownerId: ownOnly, page: query.page, perPage: query.per_page, hostId: query.host_id });
    res.json({ campaigns: found.campaigns.map(renderCampaignSummary), meta: { has_next_results: found.more, has_previous_results: query.page > 0 } });
  });

  router.get('/campaigns/:id', async (req, res) => {
    const doc = await visibleCampaign(res, req.params.id);
    res.json({ campaign: renderCampaignDetail(doc, await results.recordedCount(doc.id)) });
  });

  router.get('/campaigns/:id/results', async (req, res) => {
    const doc = await visibleCampaign(res, req.params.id);
    const { page, per_page: perPage } = validateParameters<{ page: number; per_page: number }>(resultsPageQuery, req.query);
    if (doc.results_deleted_at) throw resultsDeleted(doc);
    const all = await results.resultsAfter(doc.id, 0);
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv').attachment(`campaign-${doc.id}-results.csv`).send(resultsAsCsv(all));
      return;
    }
    res.json(resultsPage(doc.id, all, page, perPage));
  });

  router.post('/campaigns/:id/stop', async (req, res) => {
    const id = parseCampaignId(req.params.id);
    if (id === null) throw notFound(`campaign ${req.params.id}`);
    const user = currentUser(res);
    const doc = await stopCampaign(deps, id, { userId: user.id, mayStopAny: canStopAnyCampaign(user.global_role) }, userCommandContext(req, res));
    if (!doc) throw notFound(`campaign ${req.params.id}`);
    res.json({ campaign: renderCampaign(doc) });
  });

  return router;
}
