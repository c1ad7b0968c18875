/**
 * Fleet's deletions by name, as the seed-era `fleetctl delete -f` sends them (Client.DeleteQuery,
 * DeletePack, DeleteLabel: DELETE /api/v1/fleet/<plural>/<url.PathEscape(name)>, no body) and
 * Fleet answers them: `{}` on success; 403 before anything else for a role that may not
 * (SPEC_DELETE_RULES); 404 in Fleet's shape for a name with no spec (fleetctl then prints
 * "doesn't exist" and goes on); 422 for a built-in label. What the deletion does is the spec
 * decider's (spec-deletion.ts).
 */
import { Router } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { invalid } from '../../../shared/domain/errors';
import { NAMED_DELETABLE_SPEC_KINDS, SPEC_KIND_PLURAL } from '../../../shared/domain/specs/spec-types';
import { SPEC_DELETE_RULES } from '../../../shared/domain/users/roles';
import { MAX_NAME_LENGTH } from '../../../shared/schemas/spec-schemas';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { deleteSpec } from '../commands/delete-spec';

export function specDeletionRoutes(deps: ApiDeps): Router {
  const router = Router();
  // A name in the path obeys the same bound as a name in a body: no spec can have a longer one.
  router.param('name', (_req, _res, next, name: string) => {
    next(name.length > MAX_NAME_LENGTH ? invalid('name', `a spec name is at most ${MAX_NAME_LENGTH} characters`) : undefined);
  });
  for (const kind of NAMED_DELETABLE_SPEC_KINDS) {
    const plural = SPEC_KIND_PLURAL[kind];
    router.delete(`/${plural}/:name`, async (req, res) => {
      authorize(res, SPEC_DELETE_RULES[kind], `your role may not delete ${plural}`);
      const result = await deleteSpec(deps, kind, String(req.params.name), userCommandContext(req, res));
      await awaitReadModels(deps, result.position);
      res.json({});
    });
  }
  return router;
}
