import type { WatcherConnection } from '../watcher-connection';

/** What a transport needs from the gateway: a protocol session per new connection. */
export type StartSession = (connection: WatcherConnection) => {
  receiveText(text: string): void;
  receive(type: string, data: unknown): void;
  close(): void;
};
