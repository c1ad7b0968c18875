/** One watcher's connection, whatever the transport (raw WebSocket, SockJS, Socket.IO). */
import type { OutgoingFrame } from './gateway-messages';

export interface WatcherConnection {
  /** Queues the frame; never blocks. */
  send(frame: OutgoingFrame): void;
  /** Bytes handed to the transport and not yet written to the network. */
  bufferedBytes(): number;
  /** Ends the connection after what is already queued (the close code is for WebSocket/SockJS). */
  close(code: number, reason: string): void;
}
