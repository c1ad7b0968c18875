/** Live query campaigns: run (by ids or by names), stop, and read a campaign's state. */
import { Router, type Response } from 'express';
import Joi from 'joi';
import { readStoreResults } from '../../../shared/campaigns/campaign-results-store';
import { DomainError, forbidden, notFound } from '../../../shared/domain/errors';
import { isNewHost } from '../../../shared/domain/hosts/host-status';
import type { QuerySpec } from '../../../shared/domain/specs/spec-types';
import { canApplySpecs } from '../../../shared/domain/users/roles';
import { CAMPAIGNS, specCollection, type CampaignDoc, type SpecDoc } from '../../../shared/read-models/read-model-types';
import { runCampaignBody, runCampaignByNamesBody, type RunCampaignBody, type RunCampaignByNamesBody } from '../../../shared/schemas/campaign-schemas';
import { validate, validateParameters } from '../../../shared/schemas/validate';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { currentUser } from '../authentication';
import { resultsAsCsv } from '../campaign-results';
import { createCampaign, endCampaign } from '../commands/campaigns';
import { HostQueries, type FleetHost } from '../host-queries';

const resultsPageQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(10_000).default(100),
}).unknown(false);

const FLEET_STATUS = { waiting: 0, running: 1, completed: 2, stopped: 2, expired: 2 } as const;

function resultsDeleted(doc: CampaignDoc): DomainError {
  const reason = `the results of campaign ${doc.id} were deleted at ${doc.results_deleted_at}, after the retention period (RESULTS_RETENTION_DAYS)`;
  return new DomainError('gone', reason);
}

export function renderCampaign(doc: CampaignDoc) {
  return {
    id: doc.id,
    query_id: doc.query_id,
    query: doc.query,
    status: FLEET_STATUS[doc.status],
    state: doc.status,
    user_id: doc.user_id,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    expires_at: doc.expires_at,
    ...(doc.results_deleted_at ? { results_deleted_at: doc.results_deleted_at } : {}),
    Metrics: {
      TotalHosts: doc.totals.count,
      OnlineHosts: doc.totals.online,
      OfflineHosts: doc.totals.offline,
      MissingInActionHosts: doc.totals.missing_in_action,
      NewHosts: doc.totals.new ?? 0,
    },
  };
}

interface ResolvedQuery {
  sql: string;
  queryId: number | null;
}

async function resolveQuery(deps: ApiDeps, res: Response, body: { query?: string; query_id?: number | null }): Promise<ResolvedQuery> {
  const role = currentUser(res).global_role;
  if (body.query_id) {
    const [saved] = await deps.readModels.collection<SpecDoc<'query'>>(specCollection('query')).find({ where: { id: body.query_id } });
    if (!saved) throw notFound(`query ${body.query_id}`);
    const spec = saved.spec as QuerySpec;
    if (!canApplySpecs(role) && spec.observer_can_run !== true) throw forbidden('observers may run only saved queries that allow observers to run them');
    return { sql: spec.query, queryId: saved.id };
  }
  if (!canApplySpecs(role)) throw forbidden('observers may run only saved queries that allow observers to run them');
  return { sql: body.query!, queryId: null };
}

async function start(deps: ApiDeps, req: Parameters<typeof userCommandContext>[0], res: Response, query: ResolvedQuery, targets: FleetHost[]): Promise<void> {
  if (targets.length === 0) throw new DomainError('bad_request', 'no hosts targeted', [{ name: 'selected', reason: 'no hosts targeted' }]);
  const now = Date.now();
  const { created, position } = await createCampaign(
    deps,
    {
      query: query.sql,
      queryId: query.queryId,
      userId: currentUser(res).id,
      targets,
      newHostIds: new Set(targets.filter((host) => isNewHost(host.created_at, now)).map((host) => host.id)),
      expiresAt: new Date(now + deps.config.campaignExpirySeconds * 1000).toISOString(),
    },
    userCommandContext(req, res),
  );
  await awaitReadModels(deps, position);
  const doc = await deps.readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(created.id));
  const campaign = doc ? renderCampaign(doc) : null;
  res.json({ campaign: campaign && { ...campaign, status: 0 } });
}

function unknownLabels(missing: Array<string | number>): DomainError {
  const reason = `unknown label${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`;
  return new DomainError('bad_request', reason, [{ name: 'selected.labels', reason }]);
}

export function campaignRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hostQueries = new HostQueries(deps.readModels);
  const labelsByName = async () => {
    const labels = await deps.readModels.collection<SpecDoc<'label'>>(specCollection('label')).find();
    return new Map(labels.map((label) => [label.name, label.id]));
  };

  /** Saved queries with their ids (what query_id refers to). */
  router.get('/queries', async (_req, res) => {
    const saved = await deps.readModels.collection<SpecDoc<'query'>>(specCollection('query')).find({ sort: { field: 'id', direction: 'asc' } });
    res.json({
      queries: saved.map((doc) => {
        const spec = doc.spec as QuerySpec;
        return { id: doc.id, name: spec.name, description: spec.description, query: spec.query, observer_can_run: spec.observer_can_run === true, created_at: doc.created_at, updated_at: doc.updated_at };
      }),
    });
  });

  router.post('/queries/run', async (req, res) => {
    const body = validate<RunCampaignBody>(runCampaignBody, req.body);
    const query = await resolveQuery(deps, res, body);
    const hosts = await hostQueries.list({});
    const knownLabels = new Set((await labelsByName()).values());
    const labelIds = body.selected.labels ?? [];
    const missing = labelIds.filter((id) => !knownLabels.has(id));
    if (missing.length > 0) throw unknownLabels(missing);
    const hostIds = new Set(body.selected.hosts ?? []);
    const labels = new Set(labelIds);
    const teams = new Set(body.selected.teams ?? []);
    const targets = hosts.filter(
      (host) => hostIds.has(host.id) || host.labels.some((label) => labels.has(label.id)) || (host.team_id !== null && teams.has(host.team_id)),
    );
    await start(deps, req, res, query, targets);
  });

  router.post('/queries/run_by_names', async (req, res) => {
    const body = validate<RunCampaignByNamesBody>(runCampaignByNamesBody, req.body);
    const query = await resolveQuery(deps, res, body);
    const byName = await labelsByName();
    const labelNames = body.selected.labels ?? [];
    const missing = labelNames.filter((name) => !byName.has(name));
    if (missing.length > 0) throw unknownLabels(missing);
    const labels = new Set(labelNames.map((name) => byName.get(name)!));
    const hostnames = new Set(body.selected.hosts ?? []);
    const hosts = await hostQueries.list({});
    const targets = hosts.filter((host) => hostnames.has(host.hostname) || host.labels.some((label) => labels.has(label.id)));
    await start(deps, req, res, query, targets);
  });

  const results = readStoreResults(deps.readModels.store);

  /** The campaign, if it exists and the user may see it (observers: only their own). */
  async function visibleCampaign(res: Response, rawId: string): Promise<CampaignDoc> {
    const id = Number(rawId);
    const doc = Number.isSafeInteger(id) && id >= 1 ? await deps.readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(id)) : null;
    if (!doc) throw notFound(`campaign ${rawId}`);
    const user = currentUser(res);
    if (!canApplySpecs(user.global_role) && doc.user_id !== user.id) throw forbidden('observers can see only the campaigns they ran');
    return doc;
  }

  router.get('/campaigns/:id', async (req, res) => {
    const doc = await visibleCampaign(res, req.params.id);
    const actual = await results.recordedCount(doc.id);
    res.json({ campaign: { ...renderCampaign(doc), expected_results: doc.totals.online, actual_results: actual, targeted_hosts: doc.totals.count } });
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
    const pageOf = all.slice(page * perPage, (page + 1) * perPage);
    res.json({
      campaign_id: doc.id,
      results: pageOf.map((result) => ({ seq: result.seq, host: result.host, rows: result.rows, error: result.error, answered_at: result.answered_at })),
      meta: { total: all.length, has_next_results: (page + 1) * perPage < all.length, has_previous_results: page > 0 },
    });
  });

  router.post('/campaigns/:id/stop', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw notFound(`campaign ${req.params.id}`);
    const user = currentUser(res);
    const position = await endCampaign(deps, id, 'stopped', { userId: user.id, mayStopAny: canApplySpecs(user.global_role) }, userCommandContext(req, res));
    await awaitReadModels(deps, position);
    const doc = await deps.readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(id));
    if (!doc) throw notFound(`campaign ${req.params.id}`);
    res.json({ campaign: renderCampaign(doc) });
  });

  return router;
}
