import assert from 'node:assert/strict';
import { userDecider, userStreamId } from '../../shared/domain/users/user-decider';
import type { UserEvent } from '../../shared/domain/users/user-events';
import { givenWhenThen } from '../support/given-when-then';

const createUser = givenWhenThen(userDecider);
const logIn = createUser;
const logOut = createUser;
const recordLockout = createUser;

const ada = { id: 1, email: 'ada@example.com', name: 'Ada', global_role: 'admin' as const, password_hash: 'scrypt$salt$hash' };
const adaCreated: UserEvent = { type: 'UserCreated', data: ada };
const EXPIRES = '2024-05-07T09:00:00.000Z';
const adaLoggedIn = (token_hash: string): UserEvent => ({ type: 'UserLoggedIn', data: { user_id: 1, token_hash, expires_at: EXPIRES } });

describe('decideCreateUser', () => {
  it('creates the user with the email lower-cased', () => {
    createUser
      .given([])
      .when({ kind: 'create', ...ada, email: ' Ada@Example.COM ' })
      .then([{ type: 'UserCreated', data: ada }]);
  });

  it('refuses a second user with the same email as a conflict', () => {
    const error = createUser
      .given([adaCreated])
      .when({ kind: 'create', ...ada, id: 2, name: 'Another Ada' })
      .thenFails('conflict', /already exists/);
    assert.deepEqual(error.problems.map((problem) => problem.name), ['email']);
  });

  it('keeps one stream per email whatever its case', () => {
    assert.equal(userStreamId(' Ada@Example.COM'), userStreamId('ada@example.com'));
    assert.notEqual(userStreamId('ada@example.com'), userStreamId('bob@example.com'));
  });
});

describe('decideLogIn', () => {
  it('logs the user in with the right password', () => {
    logIn
      .given([adaCreated])
      .when({ kind: 'log-in', passwordMatches: true, token_hash: 'hash-1', expires_at: EXPIRES })
      .then([adaLoggedIn('hash-1')]);
  });

  it('refuses a wrong password', () => {
    logIn
      .given([adaCreated])
      .when({ kind: 'log-in', passwordMatches: false, token_hash: 'hash-1', expires_at: EXPIRES })
      .thenFails('unauthorized', /Authentication failed/);
  });

  it('refuses an unknown user, even when told the password matched', () => {
    logIn
      .given([])
      .when({ kind: 'log-in', passwordMatches: true, token_hash: 'hash-1', expires_at: EXPIRES })
      .thenFails('unauthorized', /Authentication failed/);
  });

  it('lets a user hold several sessions', () => {
    logIn
      .given([adaCreated, adaLoggedIn('hash-1')])
      .when({ kind: 'log-in', passwordMatches: true, token_hash: 'hash-2', expires_at: EXPIRES })
      .then([adaLoggedIn('hash-2')]);
  });
});

describe('decideLogOut', () => {
  it('logs out an active token', () => {
    logOut
      .given([adaCreated, adaLoggedIn('hash-1'), adaLoggedIn('hash-2')])
      .when({ kind: 'log-out', token_hash: 'hash-1' })
      .then([{ type: 'UserLoggedOut', data: { user_id: 1, token_hash: 'hash-1' } }]);
  });

  it('does nothing for a token it does not know', () => {
    logOut.given([adaCreated, adaLoggedIn('hash-1')]).when({ kind: 'log-out', token_hash: 'hash-9' }).then([]);
  });

  it('does nothing for a token already logged out', () => {
    logOut
      .given([adaCreated, adaLoggedIn('hash-1'), { type: 'UserLoggedOut', data: { user_id: 1, token_hash: 'hash-1' } }])
      .when({ kind: 'log-out', token_hash: 'hash-1' })
      .then([]);
  });

  it('does nothing for a user that does not exist', () => {
    logOut.given([]).when({ kind: 'log-out', token_hash: 'hash-1' }).then([]);
  });
});

describe('decideRecordLockout', () => {
  const lockout = { kind: 'record-lockout' as const, until: '2024-05-07T09:05:00.000Z', reason: '5 failed logins within 300 s', address: '203.0.113.9' };
  const adaLockedOut = (until: string): UserEvent => ({ type: 'UserLoginLockedOut', data: { user_id: 1, email: 'ada@example.com', until, reason: lockout.reason, address: lockout.address } });

  it('records the lockout of an existing user, with their id and email', () => {
    recordLockout.given([adaCreated]).when(lockout).then([adaLockedOut(lockout.until)]);
  });

  it('records nothing for an email no user has (no stream for made-up emails)', () => {
    recordLockout.given([]).when(lockout).then([]);
  });

  it('records a lockout once, and a later one again', () => {
    recordLockout.given([adaCreated, adaLockedOut(lockout.until)]).when(lockout).then([]);
    recordLockout.given([adaCreated, adaLockedOut(lockout.until)]).when({ ...lockout, until: '2024-05-07T09:04:00.000Z' }).then([]);
    recordLockout
      .given([adaCreated, adaLockedOut(lockout.until)])
      .when({ ...lockout, until: '2024-05-07T09:15:00.000Z' })
      .then([adaLockedOut('2024-05-07T09:15:00.000Z')]);
  });

  it('leaves logins to the throttle: a user with a recorded lockout may log in (the lockout is enforced where it was counted)', () => {
    logIn
      .given([adaCreated, adaLockedOut(lockout.until)])
      .when({ kind: 'log-in', passwordMatches: true, token_hash: 'hash-1', expires_at: EXPIRES })
      .then([adaLoggedIn('hash-1')]);
  });
});

describe('decideModify and decideDelete', () => {
  const modify = createUser;
  it('records only what differs: a rename, a role change with the role before', () => {
    modify
      .given([adaCreated, adaLoggedIn('t1')])
      .when({ kind: 'modify', user_id: 1, name: 'Ada L.', global_role: 'maintainer' })
      .then([
        { type: 'UserRenamed', data: { user_id: 1, name: 'Ada L.' } },
        { type: 'UserGlobalRoleChanged', data: { user_id: 1, email: 'ada@example.com', name: 'Ada L.', global_role: 'maintainer', previous_role: 'admin', token_hashes: ['t1'] } },
      ]);
    modify.given([adaCreated]).when({ kind: 'modify', user_id: 1, name: 'Ada', global_role: 'admin' }).then([]);
  });

  it('refuses an unknown user, or a stream whose user has another id now, as not found', () => {
    modify.given([]).when({ kind: 'modify', user_id: 1, global_role: 'observer' }).thenFails('not_found', /user 1 was not found/);
    modify.given([adaCreated]).when({ kind: 'modify', user_id: 7, global_role: 'observer' }).thenFails('not_found', /user 7/);
    modify.given([]).when({ kind: 'modify', user_id: null, global_role: 'observer' }).thenFails('not_found', /^user was not found/);
  });

  it('deletes the user with their active sessions, after which they are gone and may log in no more', () => {
    const deleted: UserEvent = { type: 'UserDeleted', data: { user_id: 1, email: 'ada@example.com', name: 'Ada', token_hashes: ['t2'] } };
    modify.given([adaCreated, adaLoggedIn('t1'), adaLoggedIn('t2'), { type: 'UserLoggedOut', data: { user_id: 1, token_hash: 't1' } }]).when({ kind: 'delete', user_id: 1 }).then([deleted]);
    modify.given([adaCreated, deleted]).when({ kind: 'delete', user_id: 1 }).thenFails('not_found', /user 1 was not found/);
    modify.given([adaCreated, deleted]).when({ kind: 'log-in', passwordMatches: true, token_hash: 't3', expires_at: EXPIRES }).thenFails('unauthorized', /Authentication failed/);
  });
});
