/**
 * Fleet's team endpoints: GET /teams (what `fleetctl get teams` lists: Client.ListTeams, seed-era
 * server/service/client_teams.go, decodes `{"teams": [fleet.Team]}`) and GET /teams/{id} (a team,
 * as Fleet's UI reads it: `{"team": fleet.Team}`). Every role reads teams (canReadTeams), each team
 * redacted for the reader's role (team-listing.ts).
 */
import { Router } from 'express';
import Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { notFound } from '../../../shared/domain/errors';
import { canReadTeams } from '../../../shared/domain/users/roles';
import { validateParameters } from '../../../shared/schemas/validate';
import type { ApiDeps } from '../api-deps';
import { TeamListing, type TeamListOptions } from '../team-listing';

const MAY_NOT_READ_TEAMS = 'your role may not read teams';

/** Fleet's list options (server/service/transport.go listOptionsFromRequest) as GET /teams takes them. */
const listQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(10_000),
  order_key: Joi.string().valid('id', 'name').default('id'),
  order_direction: Joi.string().valid('asc', 'desc').default('asc'),
  query: Joi.string().allow('').max(255),
}).unknown(false);

const idParam = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).required();

export function teamRoutes(deps: ApiDeps): Router {
  const router = Router();
  const teams = new TeamListing(deps.readModels);

  router.get('/teams', async (req, res) => {
    const value = validateParameters<Record<string, any>>(listQuery, req.query);
    const { global_role: role } = authorize(res, canReadTeams, MAY_NOT_READ_TEAMS);
    const options: TeamListOptions = {
      page: value.page,
      perPage: value.per_page,
      orderKey: value.order_key,
      descending: value.order_direction === 'desc',
      query: value.query || undefined,
    };
    res.json({ teams: await teams.list(options, role) });
  });

  router.get('/teams/:id', async (req, res) => {
    const id = validateParameters<number>(idParam, req.params.id, 'id');
    const { global_role: role } = authorize(res, canReadTeams, MAY_NOT_READ_TEAMS);
    const team = await teams.get(id, role);
    if (!team) throw notFound(`Team ${id}`);
    res.json({ team });
  });

  return router;
}
