/**
 * What every socket endpoint of a process shares (results watchers and shells): the one cap and
 * deadline on unauthenticated sockets, the registry of authenticated ones (ended by logout and
 * expiry), and the browser origin check. A process makes one and hands it to each endpoint.
 */
import type { SocketBounds } from '../config/config';
import { originPolicy, type OriginCheck } from '../http/origin-policy';
import { LiveSockets } from './live-sockets';
import { PendingSockets } from './pending-sockets';

export interface SocketGuards {
  pending: PendingSockets;
  live: LiveSockets;
  originAllowed: OriginCheck;
}

export function createSocketGuards(bounds: SocketBounds): SocketGuards {
  return {
    pending: new PendingSockets({ max: bounds.maxUnauthenticated, timeoutMs: bounds.authTimeoutMs }),
    live: new LiveSockets(),
    originAllowed: originPolicy(bounds.allowedOrigins),
  };
}

/** Close codes the socket endpoints use for these bounds (4xxx: application codes). */
export const GUARD_CLOSE = {
  /** The session ended (logout, expiry) or the token is not valid. */
  unauthorized: 4401,
  /** Not authenticated in time. */
  authTimeout: 4408,
  /** Too many unauthenticated sockets: WebSocket's "try again later". */
  tryAgainLater: 1013,
} as const;
