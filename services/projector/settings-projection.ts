/**
 * Settings (`settings`): the global enroll secrets (EnrollSecretsReplaced, with a
 * `changed_enroll_secrets` activity) and the organization (OrganizationSetUp, no activity).
 *
 * Both live here rather than with users because they are the two writers of the `settings`
 * collection, each from its own stream (`enroll_secrets-global`, `organization-settings`); that
 * the setup request also creates the first user does not make the organization a user's.
 * Idempotent: each event replaces its document whole.
 */
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { ORGANIZATION_SET_UP, type OrganizationSetUp } from '../../shared/domain/organization/organization-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { GLOBAL_ENROLL_SECRETS_KEY, SETTINGS } from '../../shared/read-models/read-model-types';
import { recordActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

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
      uow.put(SETTINGS, 'organization', { org_name: data.org_name, server_url: data.server_url });
      return;
    }
  }
}
