import assert from 'node:assert/strict';
import { hasLabelId, internFacts, labelIdList, policyResultOf, withPolicyResults } from '../../shared/domain/hosts/compact-host-state';

describe('compact host state', () => {
  it('keeps label ids ascending without duplicates, one shared list per set', () => {
    const list = labelIdList([5, 1, 3, 1]);
    assert.deepEqual(list, [1, 3, 5]);
    assert.equal(labelIdList(new Set([3, 5, 1])), list);
    assert.ok(Object.isFrozen(list));
    assert.ok(hasLabelId(list, 3) && !hasLabelId(list, 2) && !hasLabelId(list, 6));
  });

  it('answers a policy result as results[String(id)] did, undefined when none', () => {
    const list = withPolicyResults(withPolicyResults([], { '5': true, '12': false }), { '5': false, '7': true });
    assert.equal(policyResultOf(list, 5), false);
    assert.equal(policyResultOf(list, 7), true);
    assert.equal(policyResultOf(list, 12), false);
    assert.equal(policyResultOf(list, 6), undefined);
    assert.equal(policyResultOf(list, 999_999_999_999_999), undefined);
    assert.equal(withPolicyResults([], { '12': false, '5': false, '7': true }), withPolicyResults([], { '5': false, '7': true, '12': false }));
  });

  it('drops keys no id lookup could find, keeps the largest id a query name can carry', () => {
    const list = withPolicyResults([], { '05': true, '1.5': true, x: true, '999999999999999': true, '0': false });
    assert.equal(policyResultOf(list, 5), undefined);
    assert.equal(policyResultOf(list, 999_999_999_999_999), true);
    assert.equal(policyResultOf(list, 0), false);
    assert.equal(list.length, 2);
  });

  it('shares equal fact values between hosts and changes none', () => {
    const a = internFacts({ platform: ['dar', 'win'].join(''), uuid: 'uuid-1', hostname: 'mac', computer_name: 'mac' }, 'uuid-1');
    const b = internFacts({ platform: ['darw', 'in'].join(''), memory: 17179869184 }, 'uuid-2');
    assert.deepEqual(a, { platform: 'darwin', uuid: 'uuid-1', hostname: 'mac', computer_name: 'mac' });
    assert.deepEqual(b, { platform: 'darwin', memory: 17179869184 });
  });
});
