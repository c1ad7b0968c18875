/**
 * Settings (`settings`): the global enroll secrets (EnrollSecretsReplaced, with a
 * `changed_enroll_secrets` activity) and the organization: OrganizationSetUp (the `organization`
 * document, no activity) and the application config (`app_config`, the whole AppConfig, from
 * OrganizationSetUp and every AppConfigModified, with Fleet's `edited_agent_options` activity
 * when the global agent options changed and Logbook's `edited_app_config` for any other change).
 *
 * Both live here rather than with users because they are the writers of the `settings`
 * collection, each from its own stream (`enroll_secrets-global`, `organization-settings`); that
 * the setup request also creates the first user does not make the organization a user's.
 * Idempotent: the enroll secrets and organization documents are replaced whole; `app_config` is
 * folded with evolveAppConfig, whose patches set values (re-applying a replayed suffix of the log
 * in order ends at the same config); activities are keyed by request.
 */
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { DEFAULT_APP_CONFIG, type AppConfig } from '../../shared/domain/organization/app-config';
import { evolveAppConfig } from '../../shared/domain/organization/organization-decider';
import { APP_CONFIG_MODIFIED, ORGANIZATION_SET_UP, type AppConfigModified, type OrganizationEvent, type OrganizationSetUp } from '../../shared/domain/organization/organization-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { APP_CONFIG_KEY, GLOBAL_ENROLL_SECRETS_KEY, ORGANIZATION_KEY, SETTINGS, type OrganizationDoc } from '../../shared/read-models/read-model-types';
import { recordActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

/** The config before this event: the projected one, else the defaults with setup's organization (a log projected before `app_config` existed). */
async function configBefore(uow: UnitOfWork): Promise<AppConfig> {
  const config = await uow.get<AppConfig>(SETTINGS, APP_CONFIG_KEY);
  if (config) return config;
  const organization = await uow.get<OrganizationDoc>(SETTINGS, ORGANIZATION_KEY);
  if (!organization) return DEFAULT_APP_CONFIG;
  return evolveAppConfig(DEFAULT_APP_CONFIG, { type: ORGANIZATION_SET_UP, data: organization });
}

async function foldAppConfig(uow: UnitOfWork, event: OrganizationEvent): Promise<void> {
  uow.put(SETTINGS, APP_CONFIG_KEY, evolveAppConfig(await configBefore(uow), event));
}

export async function projectSettingsEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  switch (event.type) {
    case ENROLL_SECRETS_REPLACED: {
      const data = event.data as EnrollSecretsReplaced;
      uow.put(SETTINGS, GLOBAL_ENROLL_SECRETS_KEY, { secrets: data.secrets });
      await recordActivity(uow, event, 'changed_enroll_secrets', { added: data.added, removed: data.removed });
      return;
    }
    case ORGANIZATION_SET_UP: {
      const data = event.data as OrganizationSetUp;
      uow.put(SETTINGS, ORGANIZATION_KEY, { org_name: data.org_name, server_url: data.server_url });
      await foldAppConfig(uow, { type: ORGANIZATION_SET_UP, data });
      return;
    }
    case APP_CONFIG_MODIFIED: {
      const data = event.data as AppConfigModified;
      await foldAppConfig(uow, { type: APP_CONFIG_MODIFIED, data });
      // Fleet's activity for the global agent options; the other fields by path only (never a value: the SMTP password is one).
      if (data.changed.includes('agent_options')) await recordActivity(uow, event, 'edited_agent_options', { global: true, team_id: null, team_name: null });
      const others = data.changed.filter((path) => path !== 'agent_options');
      if (others.length > 0) await recordActivity(uow, event, 'edited_app_config', { changed: others });
      return;
    }
  }
}
