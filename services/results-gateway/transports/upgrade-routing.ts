/**
 * Lets a handler claim the upgrade requests of one path on a server that other handlers share
 * (SockJS, Socket.IO, the agent API's shells): it is put in front of the upgrade listeners
 * already there, which still get every other path. An upgrade nobody listens for is refused.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function claimUpgrades(server: Server, path: string, handle: UpgradeListener): () => void {
  const previous = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  const listener: UpgradeListener = (req, socket, head) => {
    if (pathOf(req.url) === path) return handle(req, socket, head);
    if (previous.length === 0) return socket.destroy();
    for (const other of previous) other.call(server, req, socket, head);
  };
  server.on('upgrade', listener);
  return () => {
    server.off('upgrade', listener);
    for (const other of previous) server.on('upgrade', other);
  };
}

function pathOf(url: string | undefined): string {
  const query = (url ?? '/').indexOf('?');
  return query === -1 ? (url ?? '/') : (url ?? '/').slice(0, query);
}
