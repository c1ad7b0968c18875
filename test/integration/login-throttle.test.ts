/**
 * Login throttling, from outside: wrong passwords spend an account's budget and then its right
 * password is refused (429 with Retry-After) until the lockout ends; emails nobody has are
 * throttled the same; parallel guesses are all counted; one client address has a budget across
 * accounts; X-Forwarded-For counts only through a trusted proxy; a lockout is in the activity feed.
 *
 * Each scenario logs in from its own address (X-Forwarded-For through the trusted 127.0.0.1) and
 * with its own accounts, so that the budgets of one do not spend another's.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { ADMIN, createUser, FleetClient, setUpAdmin, type ApiResponse } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const PASSWORD = 'another-secret-9$';
const WRONG = 'wrong-password-1!';

function logIn(logbook: LogbookProcess, email: string, password: string, from?: string): Promise<ApiResponse> {
  return new FleetClient(logbook.url).request('POST', '/api/v1/fleet/login', { email, password }, from === undefined ? {} : { 'x-forwarded-for': from });
}

async function statusesOf(logbook: LogbookProcess, attempts: number, email: string, from?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < attempts; i++) statuses.push((await logIn(logbook, email, WRONG, from)).status);
  return statuses;
}

function assertThrottled(res: ApiResponse, maxSeconds: number): void {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds, `Retry-After ${res.headers.get('retry-after')}`);
  assert.equal(res.body.message, 'Too Many Requests');
  assert.deepEqual(res.body.errors.map((error: { name: string }) => error.name), ['base']);
  assert.match(res.body.errors[0].reason, /too many failed logins; try again in \d+ s/);
}

async function lockoutActivities(admin: FleetClient): Promise<any[]> {
  const { body } = await admin.get('/api/v1/fleet/activities?per_page=1000');
  return (body.activities as any[]).filter((activity) => activity.type === 'user_locked_out');
}

describe('login throttling', function () {
  this.timeout(60_000);

  describe('with a lockout of 300 s behind a trusted proxy', () => {
    let logbook: LogbookProcess;
    let admin: FleetClient;

    before(async () => {
      logbook = await startLogbook({
        env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '12', LOGIN_LOCKOUT_S: '300', TRUSTED_PROXIES: '127.0.0.1' },
      });
      admin = await setUpAdmin(logbook.url);
    });

    after(() => logbook.stop());

    it('refuses the right password after 5 wrong ones, from any address, and records the lockout in the activity feed', async () => {
      const email = 'locked@example.com';
      await createUser(admin, 'observer', email);
      assert.deepEqual(await statusesOf(logbook, 5, email, '203.0.113.1'), [401, 401, 401, 401, 401]);
      assertThrottled(await logIn(logbook, email, PASSWORD, '203.0.113.1'), 300);
      assertThrottled(await logIn(logbook, email, PASSWORD, '198.51.100.1'), 300);

      const [activity] = await eventually(async () => {
        const found = (await lockoutActivities(admin)).filter((one) => one.details.email === email);
        assert.equal(found.length, 1);
        return found;
      });
      assert.equal(activity.actor_email, email);
      assert.equal(activity.actor_id, null);
      assert.deepEqual(Object.keys(activity.details).sort(), ['address', 'email', 'reason', 'until', 'user_id']);
      assert.equal(activity.details.reason, '5 failed logins within 300 s');
      assert.equal(activity.details.address, '203.0.113.1');
      const untilMs = Date.parse(activity.details.until);
      assert.ok(untilMs > Date.parse(activity.created_at) && untilMs <= Date.parse(activity.created_at) + 300_000, activity.details.until);
    });

    it('answers an email nobody has exactly as an existing one, and records no activity for it', async () => {
      const known = 'known@example.com';
      await createUser(admin, 'observer', known);
      const unknown = 'nobody@example.com';
      const unknownStatuses = await statusesOf(logbook, 6, unknown, '203.0.113.2');
      const knownStatuses = await statusesOf(logbook, 6, known, '203.0.113.3');
      assert.deepEqual(unknownStatuses, [401, 401, 401, 401, 401, 429]);
      assert.deepEqual(knownStatuses, unknownStatuses);
      // The unknown email's lockout came first: once the known one's is in the feed, it would be too.
      await eventually(async () => assert.equal((await lockoutActivities(admin)).filter((one) => one.details.email === known).length, 1));
      assert.deepEqual((await lockoutActivities(admin)).filter((one) => one.details.email === unknown), []);
    });

    it('counts parallel guesses: of 40 at once, only the budget of 5 is checked and the rest refused', async () => {
      const email = 'parallel@example.com';
      await createUser(admin, 'observer', email);
      const answers = await Promise.all(Array.from({ length: 40 }, () => logIn(logbook, email, WRONG, '203.0.113.4')));
      const statuses = answers.map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 401).length, 5, statuses.join(' '));
      assert.equal(statuses.filter((status) => status === 429).length, 35, statuses.join(' '));
      for (const answer of answers.filter((one) => one.status === 429)) assertThrottled(answer, 300);
      assertThrottled(await logIn(logbook, email, PASSWORD, '203.0.113.4'), 300);
    });

    it('limits one address across accounts: past its budget of 12 it is refused even for an account that never failed', async () => {
      for (const email of ['spread-1@example.com', 'spread-2@example.com', 'spread-3@example.com']) {
        assert.deepEqual(await statusesOf(logbook, 4, email, '203.0.113.5'), [401, 401, 401, 401]);
      }
      assertThrottled(await logIn(logbook, ADMIN.email, ADMIN.password, '203.0.113.5'), 300);
      assert.equal((await logIn(logbook, ADMIN.email, ADMIN.password, '203.0.113.6')).status, 200);
    });
  });

  describe('with a lockout of 1 s', () => {
    let logbook: LogbookProcess;

    before(async () => {
      logbook = await startLogbook({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_LOCKOUT_S: '1' } });
    });

    after(() => logbook.stop());

    it('lets the right password in again once the lockout has ended', async () => {
      const admin = await setUpAdmin(logbook.url);
      const email = 'patient@example.com';
      await createUser(admin, 'observer', email);
      assert.deepEqual(await statusesOf(logbook, 3, email), [401, 401, 401]);
      // The lockout happened (it is in the feed), whether or not it has ended by now...
      await eventually(async () => assert.equal((await lockoutActivities(admin)).filter((one) => one.details.email === email).length, 1));
      // ...and it ends: the right password works again.
      await eventually(async () => assert.equal((await logIn(logbook, email, PASSWORD)).status, 200));
    });
  });

  describe('with the default settings', () => {
    let logbook: LogbookProcess;

    before(async () => {
      logbook = await startLogbook();
      await setUpAdmin(logbook.url);
    });

    after(() => logbook.stop());

    it('ignores X-Forwarded-For when no proxy is trusted: 20 failures from "different" addresses spend the one address', async () => {
      for (let account = 0; account < 5; account++) {
        for (let guess = 0; guess < 4; guess++) {
          const res = await logIn(logbook, `guess-${account}@example.com`, WRONG, `192.0.2.${account * 4 + guess}`);
          assert.equal(res.status, 401);
        }
      }
      assertThrottled(await logIn(logbook, ADMIN.email, ADMIN.password, '192.0.2.200'), 300);
    });
  });
});
