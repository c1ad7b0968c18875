/**
 * Follows the event log from its head and ends the sockets of sessions that end: a
 * `UserLoggedOut` (on whichever instance the logout was made) revokes that token's sockets here
 * and drops it from this process's authentication cache. Every process that owns sockets runs
 * one, so a logout reaches every instance as fast as the log does. Session expiry needs no event:
 * LiveSockets times it.
 */
import { USER_LOGGED_OUT, type UserLoggedOut } from '../domain/users/user-events';
import type { Logger } from '../observability/logger';
import type { EventStore, Subscription } from '../ports/event-store';
import type { Authenticator } from './authenticator';
import type { LiveSockets } from './live-sockets';

export async function followRevocations(deps: { eventStore: EventStore; liveSockets: LiveSockets; authenticator?: Authenticator; logger: Logger }): Promise<Subscription> {
  const after = await deps.eventStore.headPosition();
  return deps.eventStore.subscribeToAll({
    after,
    onEvent(event) {
      if (event.type !== USER_LOGGED_OUT) return;
      const { token_hash: tokenHash } = event.data as UserLoggedOut;
      deps.authenticator?.forgetHash(tokenHash);
      deps.liveSockets.revokeToken(tokenHash);
    },
    onError(error) {
      deps.logger.error({ err: error }, 'following logouts stopped: sockets of sessions that end later are not closed');
    },
  });
}
