import {
  GLOBAL_ADMINS_REMOVED,
  USER_CREATED,
  USER_DELETED,
  USER_GLOBAL_ROLE_CHANGED,
  USER_LOGGED_IN,
  USER_LOGGED_OUT,
  USER_LOGIN_LOCKED_OUT,
  USER_RENAMED,
  type UserCreated,
  type UserDeleted,
  type UserGlobalRoleChanged,
  type UserLoggedIn,
  type UserLoggedOut,
  type UserLoginLockedOut,
  type UserRenamed,
} from '../../../shared/domain/users/user-events';
import { ACTIVITIES, SESSIONS, USERS } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, type GivenEvent } from '../../support/given-events';

const alice: UserCreated = { id: 2, email: 'alice@example.com', name: 'Alice', global_role: 'observer', password_hash: 'scrypt$hash' };
const admin: UserCreated = { id: 1, email: ADMIN.email!, name: 'Admin', global_role: 'admin', password_hash: 'scrypt$admin' };

const created = (data: UserCreated): GivenEvent<UserCreated> => ({ type: USER_CREATED, data, streamId: `user-${data.email}` });
const loggedIn = (data: UserLoggedIn): GivenEvent<UserLoggedIn> => ({ type: USER_LOGGED_IN, data, streamId: `user-${data.user_id}` });
const loggedOut = (data: UserLoggedOut): GivenEvent<UserLoggedOut> => ({ type: USER_LOGGED_OUT, data, streamId: `user-${data.user_id}` });

const lockedOut = (data: UserLoginLockedOut): GivenEvent<UserLoginLockedOut> => ({
  type: USER_LOGIN_LOCKED_OUT,
  data,
  streamId: `user-${data.email}`,
  // A lockout is caused by an anonymous login attempt naming the email.
  actor: { type: 'user', id: 'anonymous', email: data.email },
});

const session = { user_id: 2, token_hash: 'a1b2', expires_at: '2024-01-02T00:00:00.000Z' };

describe('user and session projection', () => {
  it('writes a user document without the password hash', async () => {
    await givenEvents([created(alice)]).thenDocuments(USERS, {
      '2': { id: 2, name: 'Alice', email: 'alice@example.com', global_role: 'observer', created_at: atPosition(0), updated_at: atPosition(0) },
    });
  });

  it('records created_user when an operator creates someone else', async () => {
    await givenEvents([created(alice)]).thenDocuments(ACTIVITIES, {
      'request-0:created_user': {
        id: 1,
        created_at: atPosition(0),
        actor_full_name: 'Admin',
        actor_id: 1,
        actor_email: ADMIN.email!,
        type: 'created_user',
        details: { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com' },
      },
    });
  });

  it('records no activity for a user creating themselves (the setup of the first admin)', async () => {
    await givenEvents([created(admin)]).thenCollections({
      [USERS]: { '1': { id: 1, name: 'Admin', email: ADMIN.email!, global_role: 'admin', created_at: atPosition(0), updated_at: atPosition(0) } },
      [ACTIVITIES]: {},
    });
  });

  it('opens a session keyed by the token hash on login, with a user_logged_in activity', async () => {
    await givenEvents([{ ...loggedIn(session), actor: { type: 'user', id: '2', email: 'alice@example.com', name: 'Alice' } }]).thenCollections({
      [SESSIONS]: { a1b2: { user_id: 2, expires_at: '2024-01-02T00:00:00.000Z' } },
      [ACTIVITIES]: {
        'request-0:user_logged_in': {
          id: 1,
          created_at: atPosition(0),
          actor_full_name: 'Alice',
          actor_id: 2,
          actor_email: 'alice@example.com',
          type: 'user_logged_in',
          details: {},
        },
      },
    });
  });

  it('deletes the session on logout and keeps the other sessions', async () => {
    await givenEvents([
      loggedIn(session),
      loggedIn({ ...session, token_hash: 'c3d4' }),
      loggedOut({ user_id: 2, token_hash: 'a1b2' }),
    ]).thenDocuments(SESSIONS, { c3d4: { user_id: 2, expires_at: '2024-01-02T00:00:00.000Z' } });
  });

  it('leaves the same documents when its events are applied twice', async () => {
    const events = [created(admin), created(alice), loggedIn(session), loggedIn({ ...session, token_hash: 'c3d4' }), loggedOut({ user_id: 2, token_hash: 'a1b2' })];
    await givenEvents(events).appliedTwice().thenCollections({
      [USERS]: {
        '1': { id: 1, name: 'Admin', email: ADMIN.email!, global_role: 'admin', created_at: atPosition(0), updated_at: atPosition(0) },
        '2': { id: 2, name: 'Alice', email: 'alice@example.com', global_role: 'observer', created_at: atPosition(1), updated_at: atPosition(1) },
      },
      [SESSIONS]: { c3d4: { user_id: 2, expires_at: '2024-01-02T00:00:00.000Z' } },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });

  it('records a user_locked_out activity for a lockout, and changes no user or session', async () => {
    const lockout = { user_id: 2, email: 'alice@example.com', until: '2024-01-01T00:05:01.000Z', reason: '5 failed logins within 300 s', address: '203.0.113.9' };
    await givenEvents([created(alice), lockedOut(lockout)]).thenCollections({
      [USERS]: { '2': { id: 2, name: 'Alice', email: 'alice@example.com', global_role: 'observer', created_at: atPosition(0), updated_at: atPosition(0) } },
      [ACTIVITIES]: {
        'request-0:created_user': {
          id: 1,
          created_at: atPosition(0),
          actor_full_name: 'Admin',
          actor_id: 1,
          actor_email: ADMIN.email!,
          type: 'created_user',
          details: { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com' },
        },
        'request-1:user_locked_out': {
          id: 2,
          created_at: atPosition(1),
          actor_full_name: null,
          actor_id: null,
          actor_email: 'alice@example.com',
          type: 'user_locked_out',
          details: lockout,
        },
      },
    });
    await givenEvents([created(alice), lockedOut(lockout)]).thenReplayChangesNothing();
  });
});

describe('user changes: rename, role change, deletion', () => {
  const renamed = (name: string): GivenEvent<UserRenamed> => ({ type: USER_RENAMED, data: { user_id: 2, name }, streamId: 'user-alice@example.com' });
  const roleChanged: GivenEvent<UserGlobalRoleChanged> = {
    type: USER_GLOBAL_ROLE_CHANGED,
    data: { user_id: 2, email: 'alice@example.com', name: 'Alice', global_role: 'maintainer', previous_role: 'observer', token_hashes: ['a1b2'] },
    streamId: 'user-alice@example.com',
  };
  const deleted: GivenEvent<UserDeleted> = { type: USER_DELETED, data: { user_id: 2, email: 'alice@example.com', name: 'Alice', token_hashes: ['a1b2'] }, streamId: 'user-alice@example.com' };
  const activity = (position: number, type: string, details: Record<string, unknown>) => ({
    id: position + 1,
    created_at: atPosition(position),
    actor_full_name: 'Admin',
    actor_id: 1,
    actor_email: ADMIN.email!,
    type,
    details,
  });

  it("renames and re-roles the user, with a changed_user_global_role activity in Fleet's details", async () => {
    const events = [created(alice), renamed('Alice B.'), roleChanged];
    await givenEvents(events).thenCollections({
      [USERS]: { '2': { id: 2, name: 'Alice B.', email: 'alice@example.com', global_role: 'maintainer', created_at: atPosition(0), updated_at: atPosition(2) } },
      [ACTIVITIES]: {
        'request-0:created_user': activity(0, 'created_user', { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com' }),
        'request-2:changed_user_global_role': activity(2, 'changed_user_global_role', { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com', role: 'maintainer' }),
      },
    });
    await givenEvents(events).thenReplayChangesNothing();
  });

  it('deletes the user and their sessions, with a deleted_user activity', async () => {
    const events = [created(alice), loggedIn(session), loggedIn({ ...session, token_hash: 'c3d4' }), deleted];
    await givenEvents(events).thenDocuments(USERS, {});
    await givenEvents(events).thenDocuments(SESSIONS, { c3d4: { user_id: 2, expires_at: '2024-01-02T00:00:00.000Z' } });
    await givenEvents([created(alice), deleted]).thenDocuments(ACTIVITIES, {
      'request-0:created_user': activity(0, 'created_user', { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com' }),
      'request-1:deleted_user': activity(1, 'deleted_user', { user_id: 2, user_name: 'Alice', user_email: 'alice@example.com' }),
    });
    await givenEvents(events).thenReplayChangesNothing();
  });

  it('projects nothing of the admin guard', async () => {
    await givenEvents([{ type: GLOBAL_ADMINS_REMOVED, data: { user_ids: [2], remaining_admin_ids: [1] }, streamId: 'admin-guard' }]).thenNothingProjected();
  });
});
