import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, CAMPAIGN_RESULTS_DELETED, type CampaignCreated, type CampaignEnd } from '../../../shared/domain/campaigns/campaign-events';
import { ACTIVITIES, CAMPAIGNS } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, SYSTEM, type GivenEvent } from '../../support/given-events';

const created: CampaignCreated = {
  id: 9,
  query: 'select * from os_version;',
  query_id: null,
  user_id: 1,
  target_host_ids: [1, 2, 3],
  totals: { count: 3, online: 2, offline: 1, missing_in_action: 0, new: 1 },
  expires_at: '2024-01-01T01:00:00.000Z',
};

const onCampaign = (type: string, data: unknown, actor = ADMIN): GivenEvent => ({ type, data, streamId: 'campaign-9', actor });
const ended = (reason: CampaignEnd, actor = ADMIN) => onCampaign(CAMPAIGN_ENDED, { id: 9, reason }, actor);

const runningDoc = {
  id: 9,
  query: 'select * from os_version;',
  query_id: null,
  user_id: 1,
  status: 'running',
  target_host_ids: [1, 2, 3],
  totals: { count: 3, online: 2, offline: 1, missing_in_action: 0, new: 1 },
  created_at: atPosition(0),
  updated_at: atPosition(0),
  expires_at: '2024-01-01T01:00:00.000Z',
};

const liveQuery = {
  id: 1,
  created_at: atPosition(0),
  actor_full_name: 'Admin',
  actor_id: 1,
  actor_email: ADMIN.email!,
  type: 'live_query',
  details: { campaign_id: 9, query_id: null, query_sql: 'select * from os_version;', targets_count: 3 },
};

describe('campaign projection', () => {
  it('writes a running campaign and a live_query activity on creation', async () => {
    await givenEvents([onCampaign(CAMPAIGN_CREATED, created)]).thenCollections({
      [CAMPAIGNS]: { '9': runningDoc },
      [ACTIVITIES]: { 'request-0:live_query': liveQuery },
    });
  });

  it('ends a campaign once: the first end wins', async () => {
    await givenEvents([onCampaign(CAMPAIGN_CREATED, created), ended('completed', SYSTEM), ended('expired', SYSTEM)]).thenCollections({
      [CAMPAIGNS]: { '9': { ...runningDoc, status: 'completed', updated_at: atPosition(1), ended_at: atPosition(1) } },
      [ACTIVITIES]: { 'request-0:live_query': liveQuery },
    });
  });

  it('records stopped_live_query when an operator stops it', async () => {
    await givenEvents([onCampaign(CAMPAIGN_CREATED, created), ended('stopped')]).thenCollections({
      [CAMPAIGNS]: { '9': { ...runningDoc, status: 'stopped', updated_at: atPosition(1), ended_at: atPosition(1) } },
      [ACTIVITIES]: {
        'request-0:live_query': liveQuery,
        'request-1:stopped_live_query': { ...liveQuery, id: 2, created_at: atPosition(1), type: 'stopped_live_query', details: { campaign_id: 9 } },
      },
    });
  });

  it('marks when its results were deleted, once', async () => {
    await givenEvents([
      onCampaign(CAMPAIGN_CREATED, created),
      ended('expired', SYSTEM),
      onCampaign(CAMPAIGN_RESULTS_DELETED, { id: 9, retention_days: 30 }, SYSTEM),
      onCampaign(CAMPAIGN_RESULTS_DELETED, { id: 9, retention_days: 30 }, SYSTEM),
    ]).thenDocuments(CAMPAIGNS, {
      '9': { ...runningDoc, status: 'expired', updated_at: atPosition(2), ended_at: atPosition(1), results_deleted_at: atPosition(2) },
    });
  });

  it('ignores the end of a campaign it has not seen created', async () => {
    await givenEvents([ended('stopped')]).thenNothingProjected();
  });

  it('leaves the same documents when its events are applied twice', async () => {
    const events = [onCampaign(CAMPAIGN_CREATED, created), ended('stopped'), onCampaign(CAMPAIGN_RESULTS_DELETED, { id: 9, retention_days: 1 }, SYSTEM)];
    await givenEvents(events).appliedTwice().thenDocuments(CAMPAIGNS, {
      '9': { ...runningDoc, status: 'stopped', updated_at: atPosition(2), ended_at: atPosition(1), results_deleted_at: atPosition(2) },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});
