/** Fleet's spec API: GET from read models, POST through the command side. */
import { Router, type Request, type Response } from 'express';
import type Joi from 'joi';
import { forbidden, notFound } from '../../../shared/domain/errors';
import { specKindFromPlural, type SpecByKind, type SpecKind } from '../../../shared/domain/specs/spec-types';
import { canApplySpecs } from '../../../shared/domain/users/roles';
import {
  GLOBAL_ENROLL_SECRETS_KEY,
  HISTORY,
  historyKey,
  SETTINGS,
  specCollection,
  type EnrollSecretsDoc,
  type SpecDoc,
  type SpecVersionDoc,
} from '../../../shared/read-models/read-model-types';
import {
  applyEnrollSecretsBody,
  applyLabelsBody,
  applyPacksBody,
  applyPoliciesBody,
  applyQueriesBody,
  applyTeamsBody,
} from '../../../shared/schemas/spec-schemas';
import { validate } from '../../../shared/schemas/validate';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { currentUser } from '../authentication';
import { applySpecs } from '../commands/apply-specs';
import { replaceEnrollSecrets } from '../commands/enroll-secrets';
import { renderSpec } from '../rendering';

const APPLY_BODIES: Record<SpecKind, Joi.Schema> = {
  query: applyQueriesBody,
  pack: applyPacksBody,
  label: applyLabelsBody,
  policy: applyPoliciesBody,
  team: applyTeamsBody,
};

function requireSpecWriter(res: Response): void {
  if (!canApplySpecs(currentUser(res).global_role)) throw forbidden('observers can read specs but not apply them');
}

function kindOf(req: Request): SpecKind {
  const kind = specKindFromPlural(String(req.params.kind));
  if (!kind) throw notFound(`spec type "${req.params.kind}"`);
  return kind;
}

async function findSpec(deps: ApiDeps, kind: SpecKind, name: string): Promise<SpecDoc> {
  const doc = await deps.readModels.collection<SpecDoc>(specCollection(kind)).get(name);
  if (!doc) throw notFound(`${kind} "${name}"`);
  return doc;
}

export function specRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/enroll_secret', async (_req, res) => {
    requireSpecWriter(res);
    const doc = await deps.readModels.collection<EnrollSecretsDoc>(SETTINGS).get(GLOBAL_ENROLL_SECRETS_KEY);
    res.json({ spec: { secrets: doc?.secrets ?? [] } });
  });

  router.post('/enroll_secret', async (req, res) => {
    requireSpecWriter(res);
    const body = validate<{ spec: { secrets: Array<{ secret: string }> } }>(applyEnrollSecretsBody, req.body);
    const result = await replaceEnrollSecrets(deps, body.spec.secrets.map((entry) => entry.secret), userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  router.get('/:kind', async (req, res) => {
    const kind = kindOf(req);
    const docs = await deps.readModels.collection<SpecDoc>(specCollection(kind)).find({ sort: { field: 'id', direction: 'asc' } });
    res.json({ specs: docs.map((doc) => renderSpec(kind, doc)) });
  });

  router.get('/:kind/:name', async (req, res) => {
    const kind = kindOf(req);
    res.json({ specs: renderSpec(kind, await findSpec(deps, kind, String(req.params.name))) });
  });

  router.get('/:kind/:name/history', async (req, res) => {
    const kind = kindOf(req);
    const name = String(req.params.name);
    const current = await findSpec(deps, kind, name);
    const versions = deps.readModels.collection<SpecVersionDoc>(HISTORY);
    const history = await Promise.all(Array.from({ length: current.version }, (_, index) => versions.get(historyKey(kind, name, index + 1))));
    res.json({ history: history.filter((entry): entry is SpecVersionDoc => entry !== null) });
  });

  router.post('/:kind', async (req, res) => {
    const kind = kindOf(req);
    requireSpecWriter(res);
    const body = validate<{ specs: SpecByKind[SpecKind][] }>(APPLY_BODIES[kind], req.body);
    const result = await applySpecs(deps, kind, body.specs, userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  return router;
}
