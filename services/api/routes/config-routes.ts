/**
 * Fleet's application config: GET /config (every role; what only admins may read left zeroed or
 * out, app-config-view.ts) and PATCH /config (admins; merged as Fleet merges, one event per
 * change, nothing applied when the body is malformed or the result invalid).
 */
import { Router } from 'express';
import { authorize } from '../../../shared/auth/authorize';
import { DEFAULT_APP_CONFIG, mergeAppConfig, type AppConfig } from '../../../shared/domain/organization/app-config';
import { canModifyAppConfig, canReadAppConfig } from '../../../shared/domain/users/roles';
import { APP_CONFIG_KEY, ORGANIZATION_KEY, SETTINGS, type OrganizationDoc } from '../../../shared/read-models/read-model-types';
import type { ReadModels } from '../../../shared/read-models/read-models';
import { parseAppConfigPatch } from '../../../shared/schemas/app-config-schemas';
import { awaitReadModels, userCommandContext, type ApiDeps } from '../api-deps';
import { renderAppConfig } from '../app-config-view';
import { modifyAppConfig } from '../commands/app-config';

/** The projected config; before its first projection (a log from before it existed), the defaults with setup's organization. */
export async function readAppConfig(readModels: ReadModels): Promise<AppConfig> {
  const settings = readModels.collection<AppConfig | OrganizationDoc>(SETTINGS);
  const config = (await settings.get(APP_CONFIG_KEY)) as AppConfig | null;
  if (config) return config;
  const organization = (await settings.get(ORGANIZATION_KEY)) as OrganizationDoc | null;
  if (!organization) return DEFAULT_APP_CONFIG;
  return mergeAppConfig(DEFAULT_APP_CONFIG, { org_info: { org_name: organization.org_name }, server_settings: { server_url: organization.server_url } });
}

export function configRoutes(deps: ApiDeps): Router {
  const router = Router();
  const intervals = {
    hostDetailIntervalSeconds: deps.config.hostDetailIntervalSeconds,
    hostPolicyIntervalSeconds: deps.config.hostPolicyIntervalSeconds,
  };

  router.get('/config', async (_req, res) => {
    const user = authorize(res, canReadAppConfig, 'your role may not read the config');
    res.json(renderAppConfig(await readAppConfig(deps.readModels), user.global_role, intervals));
  });

  router.patch('/config', async (req, res) => {
    const user = authorize(res, canModifyAppConfig, 'only admins may modify the config');
    const patch = parseAppConfigPatch(req.body);
    const { config, position } = await modifyAppConfig(deps, patch, userCommandContext(req, res));
    await awaitReadModels(deps, position);
    res.json(renderAppConfig(config, user.global_role, intervals));
  });

  return router;
}
