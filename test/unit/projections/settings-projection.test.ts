import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../../shared/domain/enroll-secrets/enroll-secrets-events';
import { DEFAULT_APP_CONFIG, mergeAppConfig } from '../../../shared/domain/organization/app-config';
import { APP_CONFIG_MODIFIED, ORGANIZATION_SET_UP, type AppConfigModified, type OrganizationSetUp } from '../../../shared/domain/organization/organization-events';
import { ACTIVITIES, APP_CONFIG_KEY, GLOBAL_ENROLL_SECRETS_KEY, SETTINGS } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, SYSTEM, type GivenEvent } from '../../support/given-events';

const replaced = (data: EnrollSecretsReplaced): GivenEvent<EnrollSecretsReplaced> => ({ type: ENROLL_SECRETS_REPLACED, data, streamId: 'enroll_secrets-global' });
const organization = (data: OrganizationSetUp): GivenEvent<OrganizationSetUp> => ({ type: ORGANIZATION_SET_UP, data, streamId: 'organization-settings' });
const configModified = (data: AppConfigModified): GivenEvent<AppConfigModified> => ({ type: APP_CONFIG_MODIFIED, data, streamId: 'organization-settings' });
const acmeConfig = mergeAppConfig(DEFAULT_APP_CONFIG, { org_info: { org_name: 'Acme' }, server_settings: { server_url: 'https://fleet.acme.test' } });

const first = { secret: 'first-secret', created_at: '2024-01-01T00:00:00.000Z' };
const second = { secret: 'second-secret', created_at: '2024-01-01T00:00:05.000Z' };

describe('settings projection (enroll secrets, organization)', () => {
  it('keeps the latest global enroll secrets, with a changed_enroll_secrets activity per change', async () => {
    await givenEvents([replaced({ secrets: [first], added: 1, removed: 0 }), replaced({ secrets: [second], added: 1, removed: 1 })]).thenCollections({
      [SETTINGS]: { [GLOBAL_ENROLL_SECRETS_KEY]: { secrets: [second] } },
      [ACTIVITIES]: {
        'request-0:changed_enroll_secrets': {
          id: 1,
          created_at: atPosition(0),
          actor_full_name: 'Admin',
          actor_id: 1,
          actor_email: ADMIN.email!,
          type: 'changed_enroll_secrets',
          details: { added: 1, removed: 0 },
        },
        'request-1:changed_enroll_secrets': {
          id: 2,
          created_at: atPosition(1),
          actor_full_name: 'Admin',
          actor_id: 1,
          actor_email: ADMIN.email!,
          type: 'changed_enroll_secrets',
          details: { added: 1, removed: 1 },
        },
      },
    });
  });

  it('records no activity for secrets Logbook seeded itself', async () => {
    await givenEvents([{ ...replaced({ secrets: [first], added: 1, removed: 0 }), actor: SYSTEM }]).thenCollections({
      [SETTINGS]: { [GLOBAL_ENROLL_SECRETS_KEY]: { secrets: [first] } },
      [ACTIVITIES]: {},
    });
  });

  it('writes the organization settings and the app config they start, without an activity', async () => {
    await givenEvents([organization({ org_name: 'Acme', server_url: 'https://fleet.acme.test' })]).thenCollections({
      [SETTINGS]: { organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' }, [APP_CONFIG_KEY]: acmeConfig },
      [ACTIVITIES]: {},
    });
  });

  it('merges each app config change into the config, with edited_agent_options for the agent options and edited_app_config naming the other fields', async () => {
    const agentOptions = { config: { options: { distributed_interval: 30 } } };
    const events = [
      organization({ org_name: 'Acme', server_url: 'https://fleet.acme.test' }),
      configModified({ patch: { smtp_settings: { server: 'smtp.acme.test', password: 'hunter2' } }, changed: ['smtp_settings.server', 'smtp_settings.password'] }),
      configModified({ patch: { agent_options: agentOptions, smtp_settings: { port: 25 } }, changed: ['agent_options', 'smtp_settings.port'] }),
    ];
    const config = mergeAppConfig(acmeConfig, { smtp_settings: { server: 'smtp.acme.test', password: 'hunter2', port: 25 }, agent_options: agentOptions });
    const activity = (position: number, type: string, details: object) => ({
      id: position + 1, created_at: atPosition(position), actor_full_name: 'Admin', actor_id: 1, actor_email: ADMIN.email!, type, details,
    });
    await givenEvents(events).thenCollections({
      [SETTINGS]: { organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' }, [APP_CONFIG_KEY]: config },
      [ACTIVITIES]: {
        'request-1:edited_app_config': activity(1, 'edited_app_config', { changed: ['smtp_settings.server', 'smtp_settings.password'] }),
        'request-2:edited_agent_options': activity(2, 'edited_agent_options', { global: true, team_id: null, team_name: null }),
        'request-2:edited_app_config': activity(2, 'edited_app_config', { changed: ['smtp_settings.port'] }),
      },
    });
    await givenEvents(events).appliedTwice().thenDocuments(SETTINGS, { organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' }, [APP_CONFIG_KEY]: config });
    await givenEvents(events).thenReplayChangesNothing();
  });

  it('leaves the same documents when its events are applied twice', async () => {
    const events = [organization({ org_name: 'Acme', server_url: 'https://fleet.acme.test' }), replaced({ secrets: [first], added: 1, removed: 0 }), replaced({ secrets: [first, second], added: 1, removed: 0 })];
    await givenEvents(events).appliedTwice().thenDocuments(SETTINGS, {
      organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' },
      [APP_CONFIG_KEY]: acmeConfig,
      [GLOBAL_ENROLL_SECRETS_KEY]: { secrets: [first, second] },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});
