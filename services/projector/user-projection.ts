/**
 * Users and sessions: one `users` doc per user (no password hash), one `sessions` doc per logged-in
 * token (keyed by its hash, deleted on logout and with its user), and the `created_user` /
 * `user_logged_in` / `user_locked_out` / `changed_user_global_role` / `deleted_user` activities
 * (Fleet's names and details). The admin guard's GlobalAdminsRemoved is not projected. Idempotent: each handler writes what its event says (a user keeps its first
 * created_at), so an event applied twice leaves the models as applying it once did.
 */
import {
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
} from '../../shared/domain/users/user-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { SESSIONS, USERS, type SessionDoc, type UserDoc } from '../../shared/read-models/read-model-types';
import { actorUserId, recordActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

export async function projectUserEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case USER_CREATED: {
      const data = event.data as UserCreated;
      const existing = await uow.get<UserDoc>(USERS, String(data.id));
      uow.put(USERS, String(data.id), {
        id: data.id,
        name: data.name,
        email: data.email,
        global_role: data.global_role,
        created_at: existing?.created_at ?? at,
        updated_at: at,
      } satisfies UserDoc);
      // A user creating themselves is the setup of the first admin: no activity.
      if (actorUserId(event) !== data.id) {
        await recordActivity(uow, event, 'created_user', { user_id: data.id, user_name: data.name, user_email: data.email });
      }
      return;
    }
    case USER_LOGGED_IN: {
      const data = event.data as UserLoggedIn;
      uow.put(SESSIONS, data.token_hash, { user_id: data.user_id, expires_at: data.expires_at } satisfies SessionDoc);
      await recordActivity(uow, event, 'user_logged_in');
      return;
    }
    case USER_LOGGED_OUT: {
      const data = event.data as UserLoggedOut;
      uow.delete(SESSIONS, data.token_hash);
      return;
    }
    case USER_LOGIN_LOCKED_OUT: {
      // The actor is the anonymous login attempt that began the lockout (its email, no user id).
      const { user_id, email, until, reason, address } = event.data as UserLoginLockedOut;
      await recordActivity(uow, event, 'user_locked_out', { user_id, email, until, reason, address });
      return;
    }
    case USER_RENAMED: {
      const { user_id, name } = event.data as UserRenamed;
      const existing = await uow.get<UserDoc>(USERS, String(user_id));
      if (existing) uow.put(USERS, String(user_id), { ...existing, name, updated_at: at } satisfies UserDoc);
      return;
    }
    case USER_GLOBAL_ROLE_CHANGED: {
      const { user_id, email, name, global_role } = event.data as UserGlobalRoleChanged;
      const existing = await uow.get<UserDoc>(USERS, String(user_id));
      if (existing) uow.put(USERS, String(user_id), { ...existing, global_role, updated_at: at } satisfies UserDoc);
      await recordActivity(uow, event, 'changed_user_global_role', { user_id, user_name: name, user_email: email, role: global_role });
      return;
    }
    case USER_DELETED: {
      const { user_id, email, name, token_hashes } = event.data as UserDeleted;
      uow.delete(USERS, String(user_id));
      for (const hash of token_hashes) uow.delete(SESSIONS, hash);
      await recordActivity(uow, event, 'deleted_user', { user_id, user_name: name, user_email: email });
      return;
    }
  }
}
