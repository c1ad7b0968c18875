import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../../shared/domain/enroll-secrets/enroll-secrets-events';
import { ORGANIZATION_SET_UP, type OrganizationSetUp } from '../../../shared/domain/organization/organization-events';
import { ACTIVITIES, GLOBAL_ENROLL_SECRETS_KEY, SETTINGS } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, SYSTEM, type GivenEvent } from '../../support/given-events';

const replaced = (data: EnrollSecretsReplaced): GivenEvent<EnrollSecretsReplaced> => ({ type: ENROLL_SECRETS_REPLACED, data, streamId: 'enroll_secrets-global' });
const organization = (data: OrganizationSetUp): GivenEvent<OrganizationSetUp> => ({ type: ORGANIZATION_SET_UP, data, streamId: 'organization-settings' });

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

  it('writes the organization settings, without an activity', async () => {
    await givenEvents([organization({ org_name: 'Acme', server_url: 'https://fleet.acme.test' })]).thenCollections({
      [SETTINGS]: { organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' } },
      [ACTIVITIES]: {},
    });
  });

  it('leaves the same documents when its events are applied twice', async () => {
    const events = [organization({ org_name: 'Acme', server_url: 'https://fleet.acme.test' }), replaced({ secrets: [first], added: 1, removed: 0 }), replaced({ secrets: [first, second], added: 1, removed: 0 })];
    await givenEvents(events).appliedTwice().thenDocuments(SETTINGS, {
      organization: { org_name: 'Acme', server_url: 'https://fleet.acme.test' },
      [GLOBAL_ENROLL_SECRETS_KEY]: { secrets: [first, second] },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});
