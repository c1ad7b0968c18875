/**
 * The last admin stays: no command may leave the organization without a global admin (a role
 * change or deletion of its last admin is refused, 422). Admins are spread over their users'
 * streams, so this guard is a stream of its own that every removal of an admin appends to, with
 * its expected revision: two removals racing conflict there, and the retry decides on the
 * admins' fresh streams (see services/api/commands/user-admin.ts for the state it is given).
 */
import { unexpectedEvent, type Decider } from '../decider';
import { invalid } from '../errors';
import { GLOBAL_ADMINS_REMOVED, type AdminGuardEvent } from './user-events';

/** Not under `user-`: a login's email is not checked to be one, and must never name this stream. */
export const ADMIN_GUARD_STREAM = 'admin-guard';

/** The ids of the users who are global admins now, as their own streams say. */
export interface AdminGuardState {
  admins: number[];
}

/** These users stop being admins (if they are) in this run. */
export interface RemoveAdmins {
  user_ids: number[];
}

export const lastAdminRefused = () => invalid('global_role', 'the last admin cannot be demoted or deleted: make another user an admin first');

export const adminGuardDecider: Decider<RemoveAdmins, AdminGuardState, AdminGuardEvent> = {
  initialState: { admins: [] },
  decide(command, state) {
    const removed = state.admins.filter((id) => command.user_ids.includes(id));
    if (removed.length === 0) return [];
    const remaining = state.admins.filter((id) => !removed.includes(id));
    if (remaining.length === 0) throw lastAdminRefused();
    return [{ type: GLOBAL_ADMINS_REMOVED, data: { user_ids: removed, remaining_admin_ids: remaining } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case GLOBAL_ADMINS_REMOVED:
        return { admins: state.admins.filter((id) => !event.data.user_ids.includes(id)) };
      default:
        return unexpectedEvent(event.type);
    }
  },
};
