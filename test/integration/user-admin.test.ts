/**
 * One user, black box: GET, PATCH (name, global role), DELETE /users/{id} and fleetctl's
 * POST /users/roles/spec, as Fleet answers them: an unknown role 422, an unknown user 404, a
 * non-admin 403 for anyone else and for a role change of their own; the last admin is never
 * demoted or deleted (not even by two admins demoting each other at once); a demoted user's next
 * request has the new role; a deleted user's sessions end; each change is in the activity feed.
 */
import assert from 'node:assert/strict';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { wsUrl } from '../support/shell-client';
import { connectWebSocketWatcher, isType } from '../support/watcher-clients';

const F = '/api/v1/fleet';

async function me(client: FleetClient): Promise<{ id: number; email: string; global_role: string; name: string }> {
  const res = await client.get(`${F}/me`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.user;
}

async function activities(admin: FleetClient, type: string): Promise<Array<{ type: string; details: Record<string, unknown>; actor_email: string }>> {
  const res = await admin.get(`${F}/activities?per_page=100`);
  return res.body.activities.filter((activity: { type: string }) => activity.type === type);
}

describe('one user: read, modify, delete, user_roles spec (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
  });
  after(() => logbook.stop());

  it('reads one user, at /api/latest too; 404 for an unknown id, 400 for a malformed one', async () => {
    const observer = await createUser(admin, 'observer');
    const { id } = await me(observer);
    const res = await admin.get(`${F}/users/${id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.global_role, 'observer');
    assert.deepEqual(res.body.available_teams, []);
    assert.equal((await admin.get(`/api/latest/fleet/users/${id}`)).body.user.id, id);
    assert.equal((await observer.get(`${F}/users/${id}`)).status, 200, 'a user reads themselves');
    assert.equal((await observer.get(`${F}/users/1`)).status, 403);
    const unknown = await admin.get(`${F}/users/9999`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.errors[0].reason, /user 9999 was not found/);
    assert.equal((await admin.get(`${F}/users/abc`)).status, 400);
  });

  it("changes an observer to maintainer: their next request has the new role, and the feed says changed_user_global_role", async () => {
    const observer = await createUser(admin, 'observer');
    const { id, email } = await me(observer);
    assert.equal((await observer.post(`${F}/spec/queries`, { specs: [{ name: 'q-before', query: 'SELECT 1' }] })).status, 403);
    const res = await admin.request('PATCH', `/api/latest/fleet/users/${id}`, { global_role: 'maintainer' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.global_role, 'maintainer');
    assert.equal((await me(observer)).global_role, 'maintainer');
    assert.equal((await observer.post(`${F}/spec/queries`, { specs: [{ name: 'q-after', query: 'SELECT 1' }] })).status, 200);
    const [activity] = (await activities(admin, 'changed_user_global_role')).filter((entry) => entry.details.user_id === id);
    assert.deepEqual(activity.details, { user_id: id, user_name: 'observer user', user_email: email, role: 'maintainer' });
    assert.equal(activity.actor_email, 'admin@example.com');
  });

  it('demotes an admin: their sessions lose admin at once', async () => {
    const other = await createUser(admin, 'admin');
    const { id } = await me(other);
    assert.equal((await other.get(`${F}/users`)).status, 200);
    assert.equal((await admin.request('PATCH', `${F}/users/${id}`, { global_role: 'observer' })).status, 200);
    assert.equal((await other.get(`${F}/users`)).status, 403);
  });

  it("ends a re-roled user's sockets (not their session): a reconnect with the same token is authorized anew", async () => {
    const observer = await createUser(admin, 'observer');
    const { id } = await me(observer);
    const watcher = await connectWebSocketWatcher(wsUrl(logbook.url, ''));
    watcher.send('auth', { token: observer.token });
    watcher.send('select_campaign', { campaign_id: 999 });
    assert.match((await watcher.waitFor(isType('error'))).data, /no campaign with id 999/);
    assert.equal((await admin.request('PATCH', `${F}/users/${id}`, { global_role: 'maintainer' })).status, 200);
    assert.deepEqual(await watcher.closed, { code: 4401, reason: 'session changed role' });
    const again = await connectWebSocketWatcher(wsUrl(logbook.url, ''));
    again.send('auth', { token: observer.token });
    again.send('select_campaign', { campaign_id: 998 });
    assert.match((await again.waitFor(isType('error'))).data, /no campaign with id 998/);
    again.close();
  });

  it('refuses an unknown role (422), an unknown user (404), an email change (422), team roles (422); changes nothing', async () => {
    const observer = await createUser(admin, 'observer');
    const { id } = await me(observer);
    const badRole = await admin.request('PATCH', `${F}/users/${id}`, { global_role: 'superuser' });
    assert.equal(badRole.status, 422);
    assert.equal(badRole.body.errors[0].name, 'global_role');
    assert.equal((await admin.request('PATCH', `${F}/users/9999`, { global_role: 'maintainer' })).status, 404);
    assert.equal((await admin.request('PATCH', `${F}/users/${id}`, { email: 'elsewhere@example.com' })).status, 422);
    assert.equal((await admin.request('PATCH', `${F}/users/${id}`, { teams: [{ id: 1, role: 'admin' }] })).status, 422);
    assert.equal((await me(observer)).global_role, 'observer');
  });

  it('lets a user rename themselves but not change their own role or anyone else', async () => {
    const maintainer = await createUser(admin, 'maintainer');
    const { id } = await me(maintainer);
    const renamed = await maintainer.request('PATCH', `${F}/users/${id}`, { name: 'Mia Maintainer' });
    assert.equal(renamed.status, 200);
    assert.equal((await me(maintainer)).name, 'Mia Maintainer');
    assert.equal((await maintainer.request('PATCH', `${F}/users/${id}`, { global_role: 'admin' })).status, 403);
    assert.equal((await maintainer.request('PATCH', `${F}/users/1`, { name: 'Nope' })).status, 403);
    assert.equal((await maintainer.request('DELETE', `${F}/users/${id}`)).status, 403);
    assert.equal((await maintainer.post(`${F}/users/roles/spec`, { spec: { roles: { 'admin@example.com': { global_role: 'observer', teams: null } } } })).status, 403);
    assert.equal((await me(maintainer)).global_role, 'maintainer');
  });

  it('never demotes or deletes the last admin (422), not even when two admins demote each other at once', async () => {
    const fresh = await startLogbook();
    try {
      const first = await setUpAdmin(fresh.url);
      const self = await first.request('PATCH', `${F}/users/1`, { global_role: 'observer' });
      assert.equal(self.status, 422);
      assert.equal(self.body.errors[0].name, 'global_role');
      assert.match(self.body.errors[0].reason, /last admin/);
      assert.equal((await first.request('DELETE', `${F}/users/1`)).status, 422);
      assert.equal((await first.post(`${F}/users/roles/spec`, { spec: { roles: { 'admin@example.com': { global_role: 'maintainer', teams: null } } } })).status, 422);
      const second = await createUser(first, 'admin');
      const secondId = (await me(second)).id;
      const [a, b] = await Promise.all([
        first.request('PATCH', `${F}/users/${secondId}`, { global_role: 'observer' }),
        second.request('PATCH', `${F}/users/1`, { global_role: 'observer' }),
      ]);
      assert.deepEqual([a.status, b.status].sort((x, y) => x - y), [200, 422], 'one demotion wins, the other finds the last admin');
      const users = (await (a.status === 200 ? first : second).get(`${F}/users`)).body.users as Array<{ global_role: string }>;
      assert.equal(users.filter((user) => user.global_role === 'admin').length, 1);
    } finally {
      await fresh.stop();
    }
  });

  it('deletes a user: their sessions end (401), they are gone (404), the feed says deleted_user; the email can be used again', async () => {
    const email = `gone-${Date.now()}@example.com`;
    const doomed = await createUser(admin, 'observer', email);
    const { id } = await me(doomed);
    const res = await admin.request('DELETE', `${F}/users/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await doomed.get(`${F}/me`)).status, 401);
    assert.equal((await admin.get(`${F}/users/${id}`)).status, 404);
    assert.equal((await admin.request('DELETE', `${F}/users/${id}`)).status, 404);
    assert.equal((await new FleetClient(logbook.url).post(`${F}/login`, { email, password: 'another-secret-9$' })).status, 401);
    const [activity] = (await activities(admin, 'deleted_user')).filter((entry) => entry.details.user_id === id);
    assert.deepEqual(activity.details, { user_id: id, user_name: 'observer user', user_email: email });
    const again = await createUser(admin, 'maintainer', email);
    assert.notEqual((await me(again)).id, id);
  });

  it("applies fleetctl's user_roles spec all or nothing; an unknown email is a 404", async () => {
    const one = await createUser(admin, 'observer');
    const two = await createUser(admin, 'observer');
    const [oneDoc, twoDoc] = await Promise.all([me(one), me(two)]);
    const unknown = await admin.post(`${F}/users/roles/spec`, {
      spec: { roles: { [oneDoc.email]: { global_role: 'admin', teams: null }, 'nobody@example.com': { global_role: 'admin', teams: null } } },
    });
    assert.equal(unknown.status, 404);
    assert.equal((await me(one)).global_role, 'observer');
    const applied = await admin.post(`/api/latest/fleet/users/roles/spec`, {
      spec: { roles: { [oneDoc.email]: { global_role: 'maintainer', teams: null }, [twoDoc.email.toUpperCase()]: { global_role: 'admin', teams: null } } },
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.deepEqual(applied.body, {});
    assert.equal((await me(one)).global_role, 'maintainer');
    assert.equal((await me(two)).global_role, 'admin');
    const bad = await admin.post(`${F}/users/roles/spec`, { spec: { roles: { [oneDoc.email]: { global_role: 'owner', teams: null } } } });
    assert.equal(bad.status, 422);
  });
});
