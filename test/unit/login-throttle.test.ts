import assert from 'node:assert/strict';
import { FailureBudgets } from '../../shared/auth/failure-budgets';
import { LoginThrottle, type Admission, type LoginAttempt } from '../../shared/auth/login-throttle';

const POLICY = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, failureWindowSeconds: 60, lockoutSeconds: 30 };

/** A throttle on a clock the test moves. */
function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  const throttle = new LoginThrottle(POLICY, () => clock.now);
  return { throttle, clock };
}

function admitted(admission: Admission): LoginAttempt {
  assert.ok(admission.admitted, `expected the attempt to be admitted, it was refused for ${admission.admitted ? 0 : admission.retryAfterSeconds} s`);
  return admission.attempt;
}

function refusedFor(admission: Admission): number {
  assert.ok(!admission.admitted, 'expected the attempt to be refused');
  return admission.retryAfterSeconds;
}

/** `count` wrong passwords on `account` from `address`, one after the other; the lockouts they began. */
function failTimes(throttle: LoginThrottle, count: number, account: string, address: string) {
  return Array.from({ length: count }, () => admitted(throttle.admit(account, address)).failed()).flat();
}

describe('LoginThrottle', () => {
  it('locks an account for the lockout time once its budget of failures is spent, refusing even the right password', () => {
    const { throttle, clock } = throttleAt();
    assert.deepEqual(failTimes(throttle, 2, 'ada@example.com', '10.0.0.1'), []);
    clock.now += 500;
    const lockouts = failTimes(throttle, 1, 'ada@example.com', '10.0.0.1');
    assert.deepEqual(lockouts, [{ scope: 'account', key: 'ada@example.com', until: new Date(clock.now + 30_000), failures: 3, windowSeconds: 60 }]);
    assert.equal(refusedFor(throttle.admit('ada@example.com', '10.0.0.2')), 30);
    clock.now += 29_001;
    assert.equal(refusedFor(throttle.admit('ada@example.com', '10.0.0.1')), 1, 'rounded up, never 0');
  });

  it('admits the account again when the lockout ends, with a whole budget before the next one', () => {
    const { throttle, clock } = throttleAt();
    failTimes(throttle, 3, 'ada@example.com', '10.0.0.1');
    clock.now += 30_000;
    assert.deepEqual(failTimes(throttle, 2, 'ada@example.com', '10.0.0.9'), []);
    assert.equal(failTimes(throttle, 1, 'ada@example.com', '10.0.0.9').length, 1);
  });

  it('counts each attempt as it is admitted: parallel guesses beyond the budget are refused before any is checked', () => {
    const { throttle } = throttleAt();
    const admissions = Array.from({ length: 40 }, () => throttle.admit('ada@example.com', '10.0.0.1'));
    const inFlight = admissions.filter((admission) => admission.admitted);
    assert.equal(inFlight.length, 3);
    for (const admission of admissions.filter((one) => !one.admitted)) assert.equal(refusedFor(admission), 30);
    const lockouts = inFlight.flatMap((admission) => (admission.admitted ? admission.attempt.failed() : []));
    assert.deepEqual(lockouts.map((lockout) => lockout.scope), ['account'], 'the budget is locked once');
  });

  it('forgets failures older than the window', () => {
    const { throttle, clock } = throttleAt();
    failTimes(throttle, 2, 'ada@example.com', '10.0.0.1');
    clock.now += 60_000;
    assert.deepEqual(failTimes(throttle, 2, 'ada@example.com', '10.0.0.1'), []);
    assert.equal(failTimes(throttle, 1, 'ada@example.com', '10.0.0.1').length, 1);
  });

  it('starts the account afresh after a success', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 2, 'ada@example.com', '10.0.0.1');
    admitted(throttle.admit('ada@example.com', '10.0.0.1')).succeeded();
    assert.deepEqual(failTimes(throttle, 2, 'ada@example.com', '10.0.0.1'), []);
  });

  it('lets a right password checked in parallel end a lockout that a wrong guess began', () => {
    const { throttle } = throttleAt();
    const attempts = Array.from({ length: 3 }, () => admitted(throttle.admit('ada@example.com', '10.0.0.1')));
    assert.equal(attempts[0].failed().length, 1);
    assert.equal(attempts[1].failed().length, 0, 'already locked');
    attempts[2].succeeded();
    admitted(throttle.admit('ada@example.com', '10.0.0.1'));
  });

  it('limits one address across accounts, and then refuses it for every account', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 2, 'a@example.com', '10.0.0.1');
    failTimes(throttle, 2, 'b@example.com', '10.0.0.1');
    assert.deepEqual(failTimes(throttle, 1, 'c@example.com', '10.0.0.1'), [
      { scope: 'address', key: '10.0.0.1', until: new Date(1_000_000 + 30_000), failures: 5, windowSeconds: 60 },
    ]);
    assert.equal(refusedFor(throttle.admit('never-tried@example.com', '10.0.0.1')), 30);
    admitted(throttle.admit('never-tried@example.com', '10.0.0.2'));
  });

  it('reports both lockouts when one failure spends both budgets', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 2, 'a@example.com', '10.0.0.1');
    failTimes(throttle, 2, 'b@example.com', '10.0.0.1');
    assert.deepEqual(failTimes(throttle, 1, 'b@example.com', '10.0.0.1').map((lockout) => lockout.scope), ['account', 'address']);
  });

  it('takes back only its own attempt from the address when a login succeeds', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 2, 'a@example.com', '10.0.0.1');
    failTimes(throttle, 2, 'b@example.com', '10.0.0.1');
    admitted(throttle.admit('mine@example.com', '10.0.0.1')).succeeded();
    assert.equal(failTimes(throttle, 1, 'c@example.com', '10.0.0.1').length, 1, 'the address still holds its four failures');
  });

  it('takes an abandoned attempt back from both budgets', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 2, 'ada@example.com', '10.0.0.1');
    admitted(throttle.admit('ada@example.com', '10.0.0.1')).abandoned();
    assert.equal(failTimes(throttle, 1, 'ada@example.com', '10.0.0.1').length, 1, 'the third failure, not a fourth, locks');
  });

  it('refuses to be told an outcome twice', () => {
    const { throttle } = throttleAt();
    const attempt = admitted(throttle.admit('ada@example.com', '10.0.0.1'));
    attempt.failed();
    assert.throws(() => attempt.succeeded(), /twice/);
  });
});

describe('FailureBudgets', () => {
  it('keeps at most maxKeys keys, dropping empty ones first and then the least recently counted', () => {
    const budgets = new FailureBudgets({ max: 2, windowMs: 1_000, lockoutMs: 1_000, maxKeys: 10 });
    for (let i = 0; i < 5; i++) budgets.count(`old-${i}`, 0);
    for (let i = 0; i < 6; i++) budgets.count(`new-${i}`, 5_000);
    assert.equal(budgets.size, 6, 'the old keys, their window past, went first');
    for (let i = 6; i < 11; i++) budgets.count(`new-${i}`, 5_000);
    assert.ok(budgets.size <= 10, `size ${budgets.size}`);
    assert.equal(budgets.refusalMs('new-10', 5_000), 0);
    budgets.count('new-10', 5_000);
    assert.equal(budgets.refusalMs('new-10', 5_000), 1_000, 'the newest key kept its counts');
    assert.equal(budgets.refusalMs('new-0', 5_000), 0);
  });
});
