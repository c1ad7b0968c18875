/** Fleet's activity feed, newest first, paginated. */
import { Router } from 'express';
import Joi from 'joi';
import { authorize } from '../../../shared/auth/authorize';
import { canSeeActivities } from '../../../shared/domain/users/roles';
import { ACTIVITIES, type ActivityDoc } from '../../../shared/read-models/read-model-types';
import { validateParameters } from '../../../shared/schemas/validate';
import type { ApiDeps } from '../api-deps';

const pageQuery = Joi.object({
  page: Joi.number().integer().min(0).max(1_000_000).default(0),
  per_page: Joi.number().integer().min(1).max(1_000).default(20),
  order_key: Joi.string().valid('id', 'created_at'),
  order_direction: Joi.string().valid('asc', 'desc').default('desc'),
}).unknown(false);

export function activityRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/activities', async (req, res) => {
    const { page, per_page: perPage, order_direction: direction } = validateParameters<{ page: number; per_page: number; order_direction: 'asc' | 'desc' }>(pageQuery, req.query);
    authorize(res, canSeeActivities, 'your role may not read the activities');
    const found = await deps.readModels.collection<ActivityDoc>(ACTIVITIES).find({
      sort: { field: 'id', direction },
      skip: page * perPage,
      limit: perPage + 1,
    });
    res.json({
      activities: found.slice(0, perPage),
      meta: { has_next_results: found.length > perPage, has_previous_results: page > 0 },
    });
  });
  return router;
}
