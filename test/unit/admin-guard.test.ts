/**
 * The admin guard's decisions. Its state (who is an admin now) is loaded from the admins' own
 * streams by services/api/commands/user-admin.ts, so it is given here as a state, not folded.
 */
import assert from 'node:assert/strict';
import { DomainError } from '../../shared/domain/errors';
import { adminGuardDecider } from '../../shared/domain/users/admin-guard';

describe('admin guard (the last admin stays)', () => {
  it('lets admins go while another remains, and records who remains', () => {
    assert.deepEqual(adminGuardDecider.decide({ user_ids: [2, 5] }, { admins: [1, 2, 3] }), [{ type: 'GlobalAdminsRemoved', data: { user_ids: [2], remaining_admin_ids: [1, 3] } }]);
  });

  it('decides nothing when none of the users is an admin (nothing appended, no contention)', () => {
    assert.deepEqual(adminGuardDecider.decide({ user_ids: [3, 4] }, { admins: [1] }), []);
  });

  it('refuses to remove the last admin, alone or together with the others (422 on global_role)', () => {
    for (const [ids, admins] of [
      [[1], [1]],
      [[1, 2], [1, 2]],
    ]) {
      assert.throws(
        () => adminGuardDecider.decide({ user_ids: ids }, { admins }),
        (error: unknown) => error instanceof DomainError && error.kind === 'validation' && error.problems[0].name === 'global_role' && /last admin/.test(error.message),
      );
    }
  });

  it('folds its own events: the removed admins are no longer counted', () => {
    const state = adminGuardDecider.evolve({ admins: [1, 2, 3] }, { type: 'GlobalAdminsRemoved', data: { user_ids: [2], remaining_admin_ids: [1, 3] } });
    assert.deepEqual(state, { admins: [1, 3] });
  });
});
