/**
 * The activity feed as every family writes it: one activity per request and type, credited to
 * the user who made the request, never to Logbook itself.
 */
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, type CampaignCreated } from '../../../shared/domain/campaigns/campaign-events';
import { SPEC_APPLIED_TYPE, type SpecApplied } from '../../../shared/domain/specs/spec-events';
import { USER_CREATED, type UserCreated } from '../../../shared/domain/users/user-events';
import type { QuerySpec } from '../../../shared/domain/specs/spec-types';
import { ACTIVITIES } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, SYSTEM, type GivenEvent } from '../../support/given-events';

const uptime: QuerySpec = { name: 'uptime', description: '', query: 'select * from uptime;' };

function queryApplied(id: number, version: number, spec: QuerySpec, correlationId: string): GivenEvent<SpecApplied> {
  return { type: SPEC_APPLIED_TYPE.query, data: { kind: 'query', id, version, spec, changes: [], builtin: false }, streamId: `spec-query-${spec.name}`, correlationId };
}

const campaign: CampaignCreated = {
  id: 9,
  query: 'select * from uptime;',
  query_id: 3,
  user_id: 1,
  target_host_ids: [1, 2],
  totals: { count: 2, online: 2, offline: 0, missing_in_action: 0, new: 0 },
  expires_at: '2024-01-01T01:00:00.000Z',
};

const bob: UserCreated = { id: 5, email: 'bob@example.com', name: 'Bob', global_role: 'maintainer', password_hash: 'x' };

const byAdmin = { actor_full_name: 'Admin', actor_id: 1, actor_email: ADMIN.email! };

describe('activity projection', () => {
  it('groups by request and type; the id and time are those of the first event of the group', async () => {
    await givenEvents([
      { type: USER_CREATED, data: { ...bob, id: 4 }, streamId: 'user-carol', correlationId: 'req' },
      queryApplied(3, 1, uptime, 'req'),
      queryApplied(3, 2, { ...uptime, description: 'again' }, 'req'),
      { type: CAMPAIGN_CREATED, data: campaign, streamId: 'campaign-9', correlationId: 'other' },
    ]).thenDocuments(ACTIVITIES, {
      'req:created_user': { id: 1, created_at: atPosition(0), ...byAdmin, type: 'created_user', details: { user_id: 4, user_name: 'Bob', user_email: 'bob@example.com' } },
      // The same spec twice in one request is listed once.
      'req:applied_spec_query': { id: 2, created_at: atPosition(1), ...byAdmin, type: 'applied_spec_query', details: { queries: [{ id: 3, name: 'uptime' }] } },
      'other:live_query': {
        id: 4,
        created_at: atPosition(3),
        ...byAdmin,
        type: 'live_query',
        details: { campaign_id: 9, query_id: 3, query_sql: 'select * from uptime;', targets_count: 2 },
      },
    });
  });

  it('records nothing for what Logbook did itself', async () => {
    await givenEvents([
      { type: USER_CREATED, data: bob, streamId: 'user-bob', actor: SYSTEM },
      { ...queryApplied(3, 1, uptime, 'seed'), actor: SYSTEM },
    ]).thenDocuments(ACTIVITIES, {});
  });

  it('has no actor id for an actor whose id is not a user id, and null for what the actor lacks', async () => {
    await givenEvents([
      { type: CAMPAIGN_CREATED, data: campaign, streamId: 'campaign-9', actor: { type: 'user', id: 'api-token' } },
      { type: CAMPAIGN_ENDED, data: { id: 9, reason: 'stopped' }, streamId: 'campaign-9', actor: { type: 'user', id: '7', name: 'Seven' } },
    ]).thenDocuments(ACTIVITIES, {
      'request-0:live_query': {
        id: 1,
        created_at: atPosition(0),
        actor_full_name: null,
        actor_id: null,
        actor_email: null,
        type: 'live_query',
        details: { campaign_id: 9, query_id: 3, query_sql: 'select * from uptime;', targets_count: 2 },
      },
      'request-1:stopped_live_query': {
        id: 2,
        created_at: atPosition(1),
        actor_full_name: 'Seven',
        actor_id: 7,
        actor_email: null,
        type: 'stopped_live_query',
        details: { campaign_id: 9 },
      },
    });
  });

  it('leaves the same activities when its events are applied twice', async () => {
    const events = [
      queryApplied(3, 1, uptime, 'req'),
      queryApplied(4, 1, { ...uptime, name: 'load' }, 'req'),
      { type: USER_CREATED, data: bob, streamId: 'user-bob', correlationId: 'req' },
    ];
    await givenEvents(events).appliedTwice().thenDocuments(ACTIVITIES, {
      'req:applied_spec_query': { id: 1, created_at: atPosition(0), ...byAdmin, type: 'applied_spec_query', details: { queries: [{ id: 3, name: 'uptime' }, { id: 4, name: 'load' }] } },
      'req:created_user': { id: 3, created_at: atPosition(2), ...byAdmin, type: 'created_user', details: { user_id: 5, user_name: 'Bob', user_email: 'bob@example.com' } },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});
