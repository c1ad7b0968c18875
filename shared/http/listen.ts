import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveLatestAsV1 } from './api-latest';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server (serving /api/latest as /api/v1, see api-latest.ts); PORT 0 picks a free port, which `port` then tells. */
export function listen(handler: RequestListener, port: number, host: string): Promise<Listening> {
  const server = createServer(handler);
  serveLatestAsV1(server);
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
