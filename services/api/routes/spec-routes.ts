/**
 * Fleet's spec API: GET from read models, POST through the command side. Each kind's read and
 * apply rules are SPEC_RULES (roles.ts); every GET of a spec or its history is redacted for the
 * reader's role (redaction.ts), so a team's secrets and agent options show only to those who may read them.
 */
import { Router, type Request } from 'express';
import type Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { invalid, notFound } from '../../../shared/domain/errors';
import { SPEC_KIND_PLURAL, specKindFromPlural, type SpecByKind, type SpecKind } from '../../../shared/domain/specs/spec-types';
import { canReadEnrollSecrets, canReplaceEnrollSecrets, SPEC_RULES } from '../../../shared/domain/users/roles';
import {
  applyEnrollSecretsBody,
  applyLabelsBody,
  applyPacksBody,
  applyPoliciesBody,
  applyQueriesBody,
  applyTeamsBody,
  MAX_NAME_LENGTH,
} from '../../../shared/schemas/spec-schemas';
import { validate } from '../../../shared/schemas/validate';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { applySpecs } from '../commands/apply-specs';
import { replaceEnrollSecrets } from '../commands/enroll-secrets';
import { redactHistory, redactSpec } from '../redaction';
import { renderSpec } from '../rendering';
import { enrollSecrets, findSpec, specHistory, specsOf } from '../spec-reads';

const APPLY_BODIES: Record<SpecKind, Joi.Schema> = {
  query: applyQueriesBody,
  pack: applyPacksBody,
  label: applyLabelsBody,
  policy: applyPoliciesBody,
  team: applyTeamsBody,
};

const MAY_NOT_MANAGE_SECRETS = 'only admins and maintainers may read or replace the enroll secrets';
const mayNotRead = (kind: SpecKind) => `your role may not read ${SPEC_KIND_PLURAL[kind]}`;
const mayNotApply = (kind: SpecKind) => `your role may not apply ${SPEC_KIND_PLURAL[kind]}`;

function kindOf(req: Request): SpecKind {
  const kind = specKindFromPlural(String(req.params.kind));
  if (!kind) throw notFound(`spec type "${req.params.kind}"`);
  return kind;
}

export function specRoutes(deps: ApiDeps): Router {
  const router = Router();
  // A name in the path obeys the same bound as a name in a body: no spec can have a longer one.
  router.param('name', (_req, _res, next, name: string) => {
    next(name.length > MAX_NAME_LENGTH ? invalid('name', `a spec name is at most ${MAX_NAME_LENGTH} characters`) : undefined);
  });
  router.get('/enroll_secret', async (_req, res) => {
    authorize(res, canReadEnrollSecrets, MAY_NOT_MANAGE_SECRETS);
    res.json({ spec: { secrets: await enrollSecrets(deps.readModels) } });
  });

  router.post('/enroll_secret', async (req, res) => {
    authorize(res, canReplaceEnrollSecrets, MAY_NOT_MANAGE_SECRETS);
    const body = validate<{ spec: { secrets: Array<{ secret: string }> } }>(applyEnrollSecretsBody, req.body);
    const result = await replaceEnrollSecrets(deps, body.spec.secrets.map((entry) => entry.secret), userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  router.get('/:kind', async (req, res) => {
    const kind = kindOf(req);
    const { global_role: role } = authorize(res, SPEC_RULES[kind].read, mayNotRead(kind));
    res.json({ specs: (await specsOf(deps.readModels, kind)).map((doc) => redactSpec(kind, renderSpec(kind, doc), role)) });
  });

  router.get('/:kind/:name', async (req, res) => {
    const kind = kindOf(req);
    const { global_role: role } = authorize(res, SPEC_RULES[kind].read, mayNotRead(kind));
    res.json({ specs: redactSpec(kind, renderSpec(kind, await findSpec(deps.readModels, kind, String(req.params.name))), role) });
  });

  router.get('/:kind/:name/history', async (req, res) => {
    const kind = kindOf(req);
    const { global_role: role } = authorize(res, SPEC_RULES[kind].read, mayNotRead(kind));
    res.json({ history: redactHistory(kind, await specHistory(deps.readModels, kind, String(req.params.name)), role) });
  });

  router.post('/:kind', async (req, res) => {
    const kind = kindOf(req);
    authorize(res, SPEC_RULES[kind].apply, mayNotApply(kind));
    const body = validate<{ specs: SpecByKind[SpecKind][] }>(APPLY_BODIES[kind], req.body);
    const result = await applySpecs(deps, kind, body.specs, userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  return router;
}
