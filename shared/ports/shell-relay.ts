/**
 * Shell relay port: how the shell brokers of one deployment tell each other about sessions, so a
 * session works when its launcher's socket and its operator's socket are on different brokers.
 * Over the results bus (Kafka) between processes (shared/adapters/shell-relay/bus-shell-relay.ts);
 * a lone broker (the all-in-one process, or brokers without Kafka) uses the local relay, which
 * has no one to tell.
 *
 * Semantics every adapter provides (test/contract/shell-relay.contract.ts checks them):
 *
 * - `publish` reaches every other live broker of the relay, never the sender itself.
 * - Order: the messages one broker publishes for one session reach each other broker in the
 *   order of the `publish` calls, each once while both brokers live (a consumer restart inside a
 *   process could redeliver: receivers drop frames whose sequence number they have already seen).
 * - A frame's text may be as long as the launcher's frame limit (1 MiB): adapters split it into
 *   parts the transport carries and join them again, so a receiver sees the whole frame.
 * - Liveness: `onBrokerLost(id)` is told once, at most `lostAfterMs` after a broker that was
 *   heard from stops (a clean close tells at once). A broker that comes back is a new id.
 * - Messages published before a broker joined are not delivered to it (it starts at the end).
 * - `publish` rejects when the transport refuses (Kafka down): the caller ends the session.
 */

export type RelaySide = 'launcher' | 'operator';

export type RelayMessage =
  /** A session's secret, so that whichever broker the launcher polls can hand it out (once). */
  | { kind: 'handout'; session_id: string; host_id: number; secret: string; expires_at: number }
  /** The secret was handed out: drop it. */
  | { kind: 'collected'; session_id: string; host_id: number }
  /** This side is attached at the sender (also sent back once to a broker that announced the other side). */
  | { kind: 'joined'; session_id: string; side: RelaySide }
  /** A frame from `from`'s socket, numbered from 1 per session and direction. */
  | { kind: 'frame'; session_id: string; from: RelaySide; seq: number; text: string }
  /** Bytes of frames from the other broker written so far to `side`'s socket (flow control). */
  | { kind: 'ack'; session_id: string; side: RelaySide; bytes: number }
  /** The session closed at the sender (which records it): close the local side the same way. */
  | { kind: 'closed'; session_id: string; code: number; reason: string; closed_by: 'launcher' | 'operator' | 'logbook' };

export interface RelayHandlers {
  onMessage(message: RelayMessage, fromBroker: string): void;
  onBrokerLost(brokerId: string): void;
}

export interface ShellRelay {
  /** This broker's id: random per process start. */
  readonly brokerId: string;
  /** Whether other brokers may exist (false for the local relay: a session is here or nowhere). */
  readonly shared: boolean;
  publish(message: RelayMessage): Promise<void>;
  /** Tells the others this broker is gone, then stops delivering. */
  close(): Promise<void>;
}

/** A broker alone: nothing to tell, nobody to hear from. */
export function localShellRelay(brokerId = 'local'): ShellRelay {
  return { brokerId, shared: false, publish: async () => undefined, close: async () => undefined };
}
