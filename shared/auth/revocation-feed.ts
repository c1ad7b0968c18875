/**
 * Follows the event log from its head and ends the sockets of sessions that end: a
 * `UserLoggedOut` (on whichever instance the logout was made) revokes that token's sockets here
 * and drops it from this process's authentication cache. Every process that owns sockets runs
 * one, so a logout reaches every instance as fast as the log does. A deleted user's sessions
 * (`UserDeleted`) end the same way; a role change or rename drops the user from the cache, so
 * their next request is authorized with the new role, and a role change ends their sockets (not
 * their sessions): a reconnect is authorized under the new role. Session expiry needs no event: LiveSockets
 * times it.
 */
import { USER_DELETED, USER_GLOBAL_ROLE_CHANGED, USER_LOGGED_OUT, USER_RENAMED, type UserDeleted, type UserGlobalRoleChanged, type UserLoggedOut, type UserRenamed } from '../domain/users/user-events';
import type { Logger } from '../observability/logger';
import type { EventStore, Subscription } from '../ports/event-store';
import type { Authenticator } from './authenticator';
import type { LiveSockets } from './live-sockets';

export async function followRevocations(deps: { eventStore: EventStore; liveSockets: LiveSockets; authenticator?: Authenticator; logger: Logger }): Promise<Subscription> {
  const after = await deps.eventStore.headPosition();
  return deps.eventStore.subscribeToAll({
    after,
    onEvent(event) {
      if (event.type === USER_RENAMED) {
        deps.authenticator?.forgetUser((event.data as UserRenamed).user_id);
        return;
      }
      if (event.type === USER_GLOBAL_ROLE_CHANGED) {
        const { user_id: userId, token_hashes: tokenHashes } = event.data as UserGlobalRoleChanged;
        deps.authenticator?.forgetUser(userId);
        for (const tokenHash of tokenHashes) deps.liveSockets.endSocketsOf(tokenHash);
        return;
      }
      const hashes = event.type === USER_LOGGED_OUT ? [(event.data as UserLoggedOut).token_hash] : event.type === USER_DELETED ? (event.data as UserDeleted).token_hashes : [];
      for (const tokenHash of hashes) {
        deps.authenticator?.forgetHash(tokenHash);
        deps.liveSockets.revokeToken(tokenHash);
      }
    },
    onError(error) {
      deps.logger.error({ err: error }, 'following logouts stopped: sockets of sessions that end later are not closed');
    },
  });
}
