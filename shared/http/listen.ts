import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { serveLatestAsV1 } from './api-latest';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * The HTTP server every handler, socket library and upgrade route attaches to; not yet
 * listening. It serves /api/latest as /api/v1 (see api-latest.ts), for TLS requests too (the
 * TLS server hands them to this one).
 */
export function createHttpServer(handler: RequestListener): Server {
  const server = createServer(handler);
  serveLatestAsV1(server);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

function listenOn(server: NetServer & { closeAllConnections(): void }, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
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

/** Starts an HTTP server; PORT 0 picks a free port, which `port` then tells. */
export async function listen(handler: RequestListener, port: number, host: string): Promise<Listening> {
  return listenPlain(createHttpServer(handler), port, host);
}

/** Makes `server` (from createHttpServer) listen for plain HTTP. */
export async function listenPlain(server: Server, port: number, host: string): Promise<Listening> {
  return { server, ...(await listenOn(server, port, host)) };
}

export interface TlsIdentity {
  cert: string;
  key: string;
}

/**
 * Serves HTTPS with the very handlers of `front` (an HTTP server from createHttpServer, listening
 * or not): a node:https server terminates TLS and hands every request and every upgrade to
 * `front`'s listeners, so Express, the agent API, SockJS, Socket.IO and the upgrade routes
 * (routeUpgrades) see TLS requests exactly as plain ones (with `req.socket.encrypted` set) and
 * nothing is mounted twice.
 *
 * Invariants: a client that fails the handshake (garbage bytes, plain HTTP sent to this port,
 * an untrusted certificate on its side) has its socket destroyed by node:tls and never reaches a
 * handler; `front` never sees the TLS server's connections, so `close` ends them here.
 */
export async function listenTls(front: Server, identity: TlsIdentity, port: number, host: string): Promise<Listening> {
  const tls = createHttpsServer({ cert: identity.cert, key: identity.key });
  tls.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  tls.headersTimeout = front.headersTimeout;
  tls.requestTimeout = front.requestTimeout;
  tls.on('request', (req, res) => front.emit('request', req, res));
  tls.on('upgrade', (req, socket: Socket, head: Buffer) => {
    // Without an upgrade listener node:http destroys the socket; keep that behaviour.
    if (front.listenerCount('upgrade') === 0) socket.destroy();
    else front.emit('upgrade', req, socket, head);
  });
  // A failed handshake is the client's problem: its socket is destroyed, nothing is logged.
  tls.on('tlsClientError', (_error, socket) => socket.destroy());
  return { server: front, ...(await listenOn(tls, port, host)) };
}
