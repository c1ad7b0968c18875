import { campaignDecider } from '../../shared/domain/campaigns/campaign-decider';
import type { CampaignCreated, CampaignEvent } from '../../shared/domain/campaigns/campaign-events';
import { givenWhenThen } from '../support/given-when-then';

const { given } = givenWhenThen(campaignDecider);

const campaign: CampaignCreated = {
  id: 4,
  query: 'SELECT 1',
  query_id: null,
  user_id: 2,
  target_host_ids: [1, 2],
  totals: { count: 2, online: 1, offline: 1, missing_in_action: 0, new: 0 },
  expires_at: '2024-05-06T10:00:00.000Z',
};
const created: CampaignEvent = { type: 'CampaignCreated', data: campaign };

describe('decideCampaign', () => {
  it('creates a campaign with its targets', () => {
    given([]).when({ kind: 'create', campaign }).then([created]);
  });

  it('refuses a campaign that targets no host', () => {
    given([]).when({ kind: 'create', campaign: { ...campaign, target_host_ids: [], totals: { ...campaign.totals, count: 0 } } }).thenFails('bad_request', /no hosts targeted/);
  });

  it('refuses to create the same campaign twice', () => {
    given([created]).when({ kind: 'create', campaign }).thenFails('conflict', /already exists/);
  });

  it('lets its operator stop it', () => {
    given([created]).when({ kind: 'end', reason: 'stopped', by: { userId: 2, mayStopAny: false } }).then([{ type: 'CampaignEnded', data: { id: 4, reason: 'stopped' } }]);
  });

  it('refuses a stop by another observer', () => {
    given([created]).when({ kind: 'end', reason: 'stopped', by: { userId: 3, mayStopAny: false } }).thenFails('forbidden', /only the operator/);
  });

  it('ends a campaign only once', () => {
    given([created, { type: 'CampaignEnded', data: { id: 4, reason: 'completed' } }]).when({ kind: 'end', reason: 'expired', by: null }).then([]);
  });

  it('cannot end a campaign that does not exist', () => {
    given([]).when({ kind: 'end', reason: 'stopped', by: null }).thenFails('not_found', /not found/);
  });

  describe('deleting the stored results (retention)', () => {
    const ended: CampaignEvent = { type: 'CampaignEnded', data: { id: 4, reason: 'completed' } };
    const deleted: CampaignEvent = { type: 'CampaignResultsDeleted', data: { id: 4, retention_days: 30 } };

    it('deletes the results of an ended campaign once', () => {
      given([created, ended]).when({ kind: 'delete-results', retentionDays: 30 }).then([deleted]);
      given([created, ended, deleted]).when({ kind: 'delete-results', retentionDays: 30 }).then([]);
    });

    it('keeps the results of a running campaign', () => {
      given([created]).when({ kind: 'delete-results', retentionDays: 30 }).thenFails('conflict', /still running/);
    });

    it('knows no campaign that was never created', () => {
      given([]).when({ kind: 'delete-results', retentionDays: 30 }).thenFails('not_found', /campaign not found/);
    });

    it('still ends nothing twice after the results were deleted', () => {
      given([created, ended, deleted]).when({ kind: 'end', reason: 'stopped', by: null }).then([]);
    });
  });
});
