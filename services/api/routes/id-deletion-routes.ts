/**
 * Fleet's deletions by id, of the kinds Fleet addresses by id (its later API; the seed-era
 * fleetctl deletes neither):
 * - POST /global/policies/delete {"ids": [...]}: Fleet's deleteGlobalPoliciesEndpoint. 403 for a
 *   role that may not (canDeletePolicies) before anything else; 400 in Fleet's shape for a body
 *   that is not a list of ids (Fleet: "json decoder error"); `{}` for an empty list (Fleet returns
 *   before reading anything, and `deleted` is omitempty); 404 `Policy <id> was not found in the
 *   datastore` if any id names no policy (PoliciesByID), then none is deleted; 403 for a team's
 *   policy ("attempting to delete policy that belongs to team"). Success answers
 *   `{"deleted": [ids]}`, what Fleet's server sends (deleteGlobalPoliciesResponse.Deleted is a
 *   []uint; Fleet's REST docs show a count, its code and its own tests decode the ids).
 * - POST /teams/{team_id}/policies/delete {"ids": [...]}: Fleet's deleteTeamPoliciesEndpoint, the
 *   same bounds and answers, and the same rule (Fleet authorizes a policy write of the team, which
 *   rbac.rego gives global admins and maintainers). 400 for a team id that is not one; 404 `Team
 *   <id> was not found in the datastore` before the ids are looked at (Fleet loads the team
 *   first); 403 "attempting to delete policy that does not belong to team <id>" for a global
 *   policy or another team's, then none is deleted.
 * - DELETE /teams/{id}: Fleet's deleteTeamEndpoint. 403 unless admin (canDeleteTeams); 404
 *   `Team <id> was not found in the datastore`; `{}` on success. The team's policies, its pack
 *   targets and its secrets go with it, its hosts move to no team (spec-deletion.ts).
 * The read models resolve an id to the spec's name; the decider then checks the spec still has
 * that id, so a name deleted and re-applied meanwhile (a new id) answers 404, not a wrong delete.
 */
import { Router, type Request, type Response } from 'express';
import Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { DomainError, notFoundInDatastore } from '../../../shared/domain/errors';
import type { PolicySpec } from '../../../shared/domain/specs/spec-types';
import { canDeletePolicies, canDeleteTeams } from '../../../shared/domain/users/roles';
import { validateParameters } from '../../../shared/schemas/validate';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { deleteSpecs } from '../commands/delete-spec';
import { specById } from '../spec-reads';

/** At most this many ids in one request: no fleet has more policies than this bound allows through. */
export const MAX_DELETE_IDS = 1000;

const fleetId = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER);
const policyIdsBody = Joi.object({ ids: Joi.array().items(fleetId).max(MAX_DELETE_IDS).required() }).unknown(true);
const teamIdParam = fleetId.required();

/** Fleet decodes the body into []uint: anything else is its 400 "json decoder error". */
function policyIdsOf(body: unknown): number[] {
  const { error, value } = policyIdsBody.validate(body, { convert: false, abortEarly: false });
  if (error) throw new DomainError('bad_request', 'json decoder error', [{ name: 'base', reason: `json decoder error: ${error.message.replace(/"/g, "'")}` }]);
  return [...new Set((value as { ids: number[] }).ids)];
}

export function idDeletionRoutes(deps: ApiDeps): Router {
  const router = Router();
  const byId = <K extends 'policy' | 'team'>(kind: K, id: number) => specById(deps.readModels, kind, id);

  /**
   * The policies `ids` name, resolved to their names for the deletion command: 404 if any id
   * names no policy, `refuse` (a 403) if any is not of `team` ('' for the global ones).
   */
  const policiesToDelete = async (ids: number[], team: string, refuse: () => DomainError) => {
    const found: Array<{ id: number; name: string }> = [];
    for (const id of ids) {
      const doc = await byId('policy', id);
      if (!doc) throw notFoundInDatastore('Policy', id);
      const spec = doc.spec as PolicySpec;
      if (spec.team !== team) throw refuse();
      found.push({ id, name: spec.name });
    }
    return found;
  };

  const deletePoliciesOf = async (req: Request, res: Response, ids: number[], found: Array<{ id: number; name: string }>) => {
    const result = await deleteSpecs(deps, 'policy', found, userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({ deleted: ids });
  };

  router.post('/global/policies/delete', async (req, res) => {
    authorize(res, canDeletePolicies, 'your role may not delete policies');
    const ids = policyIdsOf(req.body);
    if (ids.length === 0) return void res.json({});
    const found = await policiesToDelete(ids, '', () => new DomainError('forbidden', 'attempting to delete policy that belongs to team'));
    await deletePoliciesOf(req, res, ids, found);
  });

  router.post('/teams/:team_id/policies/delete', async (req, res) => {
    authorize(res, canDeletePolicies, 'your role may not delete policies');
    const teamId = validateParameters<number>(teamIdParam, req.params.team_id, 'team_id');
    const ids = policyIdsOf(req.body);
    const team = await byId('team', teamId);
    if (!team) throw notFoundInDatastore('Team', teamId);
    if (ids.length === 0) return void res.json({});
    const refuse = () => new DomainError('forbidden', `attempting to delete policy that does not belong to team ${teamId}`);
    const found = await policiesToDelete(ids, team.spec.name, refuse);
    await deletePoliciesOf(req, res, ids, found);
  });

  router.delete('/teams/:id', async (req, res) => {
    authorize(res, canDeleteTeams, 'only admins may delete teams');
    const id = validateParameters<number>(teamIdParam, req.params.id, 'id');
    const doc = await byId('team', id);
    if (!doc) throw notFoundInDatastore('Team', id);
    const result = await deleteSpecs(deps, 'team', [{ name: doc.spec.name, id }], userCommandContext(req, res));
    await awaitReadModels(deps, result.position);
    res.json({});
  });

  return router;
}
