import { SPEC_APPLIED_TYPE, SPEC_DELETED_TYPE, type SpecApplied, type SpecDeleted } from '../../../shared/domain/specs/spec-events';
import type { DeletableSpecKind, QuerySpec, SpecKind } from '../../../shared/domain/specs/spec-types';
import { ACTIVITIES, deletionKey, HISTORY, historyKey, SPEC_DELETIONS, specCollection } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, SYSTEM, type GivenEvent } from '../../support/given-events';

const uptime: QuerySpec = { name: 'uptime', description: 'How long hosts have been up', query: 'select * from uptime;' };
const uptimeV2: QuerySpec = { ...uptime, query: 'select days from uptime;' };
const users: QuerySpec = { name: 'users', description: '', query: 'select * from users;' };

function applied(kind: SpecKind, data: Omit<SpecApplied, 'kind' | 'changes' | 'builtin'> & Partial<SpecApplied>, correlationId?: string): GivenEvent<SpecApplied> {
  return {
    type: SPEC_APPLIED_TYPE[kind],
    data: { kind, changes: [], builtin: false, ...data },
    streamId: `spec-${kind}-${data.spec.name}`,
    correlationId,
  };
}

describe('spec projection', () => {
  it('writes the spec document and its first version in the history', async () => {
    const changes = [{ field: 'query', to: uptime.query }];
    const given = givenEvents([applied('query', { id: 3, version: 1, spec: uptime, changes })]);
    await given.thenCollections({
      [specCollection('query')]: {
        uptime: { id: 3, name: 'uptime', version: 1, builtin: false, spec: uptime, created_at: atPosition(0), updated_at: atPosition(0) },
      },
      [HISTORY]: {
        [historyKey('query', 'uptime', 1)]: { version: 1, applied_at: atPosition(0), applied_by: { id: 1, email: ADMIN.email }, spec: uptime, changes },
      },
    });
  });

  it('keeps created_at across versions, and every version in the history', async () => {
    await givenEvents([
      applied('query', { id: 3, version: 1, spec: uptime }),
      applied('query', { id: 3, version: 2, spec: uptimeV2, changes: [{ field: 'query', from: uptime.query, to: uptimeV2.query }] }),
    ]).thenCollections({
      [specCollection('query')]: {
        uptime: { id: 3, name: 'uptime', version: 2, builtin: false, spec: uptimeV2, created_at: atPosition(0), updated_at: atPosition(1) },
      },
      [HISTORY]: {
        [historyKey('query', 'uptime', 1)]: { version: 1, applied_at: atPosition(0), applied_by: { id: 1, email: ADMIN.email }, spec: uptime, changes: [] },
        [historyKey('query', 'uptime', 2)]: {
          version: 2,
          applied_at: atPosition(1),
          applied_by: { id: 1, email: ADMIN.email },
          spec: uptimeV2,
          changes: [{ field: 'query', from: uptime.query, to: uptimeV2.query }],
        },
      },
    });
  });

  it('keeps each kind in its own collection', async () => {
    const team = { name: 'servers', agent_options: null, secrets: [] };
    await givenEvents([applied('query', { id: 1, version: 1, spec: uptime }), applied('team', { id: 1, version: 1, spec: team })]).thenCollections({
      [specCollection('query')]: { uptime: { id: 1, name: 'uptime', version: 1, builtin: false, spec: uptime, created_at: atPosition(0), updated_at: atPosition(0) } },
      [specCollection('team')]: { servers: { id: 1, name: 'servers', version: 1, builtin: false, spec: team, created_at: atPosition(1), updated_at: atPosition(1) } },
    });
  });

  it('ignores a version older than the one it has (replays and reordered reads)', async () => {
    await givenEvents([applied('query', { id: 3, version: 2, spec: uptimeV2 }), applied('query', { id: 3, version: 1, spec: uptime })]).thenCollections({
      [specCollection('query')]: {
        uptime: { id: 3, name: 'uptime', version: 2, builtin: false, spec: uptimeV2, created_at: atPosition(0), updated_at: atPosition(0) },
      },
      [HISTORY]: {
        [historyKey('query', 'uptime', 2)]: { version: 2, applied_at: atPosition(0), applied_by: { id: 1, email: ADMIN.email }, spec: uptimeV2, changes: [] },
      },
    });
  });

  it('credits a built-in spec to nobody and records no activity for it (Logbook applied it)', async () => {
    const label = { name: 'All Hosts', description: '', query: 'select 1;', platform: '', label_membership_type: 'dynamic' as const };
    await givenEvents([{ ...applied('label', { id: 6, version: 1, spec: label, builtin: true }), actor: SYSTEM }]).thenCollections({
      [specCollection('label')]: {
        'All Hosts': { id: 6, name: 'All Hosts', version: 1, builtin: true, spec: label, created_at: atPosition(0), updated_at: atPosition(0) },
      },
      [HISTORY]: {
        [historyKey('label', 'All Hosts', 1)]: { version: 1, applied_at: atPosition(0), applied_by: { id: null, email: null }, spec: label, changes: [] },
      },
      [ACTIVITIES]: {},
    });
  });

  it('records one applied_spec_<kind> activity per request, listing every spec of it', async () => {
    await givenEvents([
      applied('query', { id: 3, version: 1, spec: uptime }, 'one-request'),
      applied('query', { id: 4, version: 1, spec: users }, 'one-request'),
      applied('query', { id: 3, version: 2, spec: uptimeV2 }, 'another-request'),
    ]).thenDocuments(ACTIVITIES, {
      'one-request:applied_spec_query': {
        id: 1,
        created_at: atPosition(0),
        actor_full_name: 'Admin',
        actor_id: 1,
        actor_email: ADMIN.email,
        type: 'applied_spec_query',
        details: { queries: [{ id: 3, name: 'uptime' }, { id: 4, name: 'users' }] },
      },
      'another-request:applied_spec_query': {
        id: 3,
        created_at: atPosition(2),
        actor_full_name: 'Admin',
        actor_id: 1,
        actor_email: ADMIN.email,
        type: 'applied_spec_query',
        details: { queries: [{ id: 3, name: 'uptime' }] },
      },
    });
  });

  it('leaves the same documents when its events are applied twice', async () => {
    const events = [
      applied('query', { id: 3, version: 1, spec: uptime }, 'one-request'),
      applied('query', { id: 4, version: 1, spec: users }, 'one-request'),
      applied('query', { id: 3, version: 2, spec: uptimeV2 }),
    ];
    await givenEvents(events).appliedTwice().thenCollections({
      [specCollection('query')]: {
        uptime: { id: 3, name: 'uptime', version: 2, builtin: false, spec: uptimeV2, created_at: atPosition(0), updated_at: atPosition(2) },
        users: { id: 4, name: 'users', version: 1, builtin: false, spec: users, created_at: atPosition(1), updated_at: atPosition(1) },
      },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });
});

describe('spec projection of deletions', () => {
  const deleted = (kind: DeletableSpecKind, data: SpecDeleted, correlationId?: string): GivenEvent<SpecDeleted> => ({
    type: SPEC_DELETED_TYPE[kind],
    data,
    streamId: `spec-${kind}-${data.name}`,
    correlationId,
  });
  const uptimeV1 = applied('query', { id: 3, version: 1, spec: uptime });
  const uptimeDeleted = deleted('query', { kind: 'query', id: 3, name: 'uptime', version: 2 });

  it('removes the spec, keeps its last version in spec_deletions and records the deletion as a version: who and when', async () => {
    await givenEvents([uptimeV1, uptimeDeleted]).thenCollections({
      [specCollection('query')]: {},
      [SPEC_DELETIONS]: { [deletionKey('query', 'uptime')]: { id: 3, name: 'uptime', version: 2, deleted_at: atPosition(1) } },
      [HISTORY]: {
        [historyKey('query', 'uptime', 1)]: { version: 1, applied_at: atPosition(0), applied_by: { id: 1, email: ADMIN.email }, spec: uptime, changes: [] },
        [historyKey('query', 'uptime', 2)]: { version: 2, applied_at: atPosition(1), applied_by: { id: 1, email: ADMIN.email }, spec: null, changes: [], deleted: true },
      },
    });
  });

  it("lists each deletion in the activity feed under Fleet's type, naming what was deleted", async () => {
    const pack = { name: 'baseline', description: '', disabled: false, targets: { labels: [], teams: null }, queries: [] };
    const label = { name: 'web', description: '', query: 'select 1;', platform: '', label_membership_type: 'dynamic' as const };
    const activity = (id: number, type: string, details: object) => ({ id, created_at: atPosition(id - 1), actor_full_name: 'Admin', actor_id: 1, actor_email: ADMIN.email, type, details });
    await givenEvents([
      uptimeV1,
      uptimeDeleted,
      applied('pack', { id: 1, version: 1, spec: pack }),
      deleted('pack', { kind: 'pack', id: 1, name: 'baseline', version: 2 }),
      applied('label', { id: 8, version: 1, spec: label }),
      deleted('label', { kind: 'label', id: 8, name: 'web', version: 2 }),
    ]).thenDocuments(ACTIVITIES, {
      'request-0:applied_spec_query': activity(1, 'applied_spec_query', { queries: [{ id: 3, name: 'uptime' }] }),
      'request-1:deleted_saved_query': activity(2, 'deleted_saved_query', { query_name: 'uptime' }),
      'request-2:applied_spec_pack': activity(3, 'applied_spec_pack', { packs: [{ id: 1, name: 'baseline' }] }),
      'request-3:deleted_pack': activity(4, 'deleted_pack', { pack_name: 'baseline' }),
      'request-4:applied_spec_label': activity(5, 'applied_spec_label', { labels: [{ id: 8, name: 'web' }] }),
      'request-5:deleted_label': activity(6, 'deleted_label', { label_name: 'web' }),
    });
  });

  it("names a deleted policy's team in deleted_policy as Fleet's DeleteTeamPolicies does, team_id -1 for a global one", async () => {
    const policy = (name: string, team: string) => ({ name, description: '', query: 'select 1;', resolution: '', platform: '', team });
    const activity = (id: number, type: string, details: object) => ({ id, created_at: atPosition(id - 1), actor_full_name: 'Admin', actor_id: 1, actor_email: ADMIN.email, type, details });
    await givenEvents([
      applied('team', { id: 4, version: 1, spec: { name: 'red', agent_options: null, secrets: [] } }),
      applied('policy', { id: 5, version: 1, spec: policy('disk', 'red') }),
      applied('policy', { id: 6, version: 1, spec: policy('firewall', '') }),
      deleted('policy', { kind: 'policy', id: 5, name: 'disk', version: 2 }),
      deleted('policy', { kind: 'policy', id: 6, name: 'firewall', version: 2 }),
    ]).thenDocuments(ACTIVITIES, {
      'request-0:applied_spec_team': activity(1, 'applied_spec_team', { teams: [{ id: 4, name: 'red' }] }),
      'request-1:applied_spec_policy': activity(2, 'applied_spec_policy', { policies: [{ id: 5, name: 'disk' }] }),
      'request-2:applied_spec_policy': activity(3, 'applied_spec_policy', { policies: [{ id: 6, name: 'firewall' }] }),
      'request-3:deleted_policy:5': activity(4, 'deleted_policy', { policy_id: 5, policy_name: 'disk', team_id: 4, team_name: 'red' }),
      'request-4:deleted_policy:6': activity(5, 'deleted_policy', { policy_id: 6, policy_name: 'firewall', team_id: -1, team_name: null }),
    });
  });

  it('takes a re-applied name as a new spec: new id, next version, a new created_at, and the deletion forgotten', async () => {
    await givenEvents([uptimeV1, uptimeDeleted, applied('query', { id: 7, version: 3, spec: uptimeV2 })]).thenCollections({
      [specCollection('query')]: {
        uptime: { id: 7, name: 'uptime', version: 3, builtin: false, spec: uptimeV2, created_at: atPosition(2), updated_at: atPosition(2) },
      },
      [SPEC_DELETIONS]: {},
    });
  });

  it('does not bring a deleted spec back when an older version is replayed after the deletion', async () => {
    await givenEvents([uptimeV1, uptimeDeleted, uptimeV1]).thenCollections({
      [specCollection('query')]: {},
      [SPEC_DELETIONS]: { [deletionKey('query', 'uptime')]: { id: 3, name: 'uptime', version: 2, deleted_at: atPosition(1) } },
    });
    await givenEvents([uptimeV1, uptimeDeleted, applied('query', { id: 7, version: 3, spec: uptimeV2 })]).thenReplayChangesNothing();
  });

  it('records a pack version made by a deletion in the history, marked detached, and no applied_spec_pack activity', async () => {
    const pack = { name: 'baseline', description: '', disabled: false, targets: { labels: null, teams: null }, queries: [] };
    const detachedVersion = applied('pack', { id: 1, version: 2, spec: pack, changes: [{ field: 'queries[uptime]', from: { query: 'uptime' } }], detached: { kind: 'query', name: 'uptime' } }, 'the-deletion');
    await givenEvents([{ ...uptimeDeleted, correlationId: 'the-deletion' }, detachedVersion]).thenCollections({
      [HISTORY]: {
        [historyKey('query', 'uptime', 2)]: { version: 2, applied_at: atPosition(0), applied_by: { id: 1, email: ADMIN.email }, spec: null, changes: [], deleted: true },
        [historyKey('pack', 'baseline', 2)]: {
          version: 2,
          applied_at: atPosition(1),
          applied_by: { id: 1, email: ADMIN.email },
          spec: pack,
          changes: [{ field: 'queries[uptime]', from: { query: 'uptime' } }],
          detached: { kind: 'query', name: 'uptime' },
        },
      },
      [ACTIVITIES]: {
        'the-deletion:deleted_saved_query': { id: 1, created_at: atPosition(0), actor_full_name: 'Admin', actor_id: 1, actor_email: ADMIN.email, type: 'deleted_saved_query', details: { query_name: 'uptime' } },
      },
    });
  });
});
