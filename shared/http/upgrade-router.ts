/**
 * One dispatcher for the WebSocket upgrade requests of a server that several handlers share
 * (the results gateway's three transports, the shell broker's two endpoints). Invariants: every
 * upgrade request is answered: by the first route whose path matches (in the order routes were
 * added), after its origin check passed (else HTTP 403), or with HTTP 404 when no route matches;
 * a refused socket is destroyed once the answer is written, so nothing is held after a refusal.
 * Handlers never listen on the server's 'upgrade' event themselves.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OriginCheck } from './origin-policy';

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRoute {
  /** Matches the request's path (without its query). */
  matches(path: string): boolean;
  originAllowed: OriginCheck;
  handle: UpgradeListener;
}

/** A refused socket whose client does not read its answer is destroyed after this long anyway. */
const REFUSAL_GRACE_MS = 1_000;
const routesOf = new WeakMap<Server, UpgradeRoute[]>();

/** Adds a route; the returned function removes it. */
export function routeUpgrades(server: Server, route: UpgradeRoute): () => void {
  let routes = routesOf.get(server);
  if (!routes) {
    const installed: UpgradeRoute[] = (routes = []);
    routesOf.set(server, installed);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => dispatch(installed, req, socket, head));
  }
  routes.push(route);
  return () => {
    const index = routes.indexOf(route);
    if (index !== -1) routes.splice(index, 1);
  };
}

/**
 * Takes the upgrade listeners that `install` adds to the server (a library that attaches itself,
 * such as engine.io) off the server and routes matching upgrades to them instead.
 */
export function routeLibraryUpgrades(server: Server, route: Omit<UpgradeRoute, 'handle'>, install: () => void): () => void {
  const before = new Set(server.listeners('upgrade'));
  install();
  const added = server.listeners('upgrade').filter((listener) => !before.has(listener)) as UpgradeListener[];
  for (const listener of added) server.off('upgrade', listener);
  return routeUpgrades(server, { ...route, handle: (req, socket, head) => added.forEach((listener) => listener.call(server, req, socket, head)) });
}

export function pathOf(url: string | undefined): string {
  const query = (url ?? '/').indexOf('?');
  return query === -1 ? (url ?? '/') : (url ?? '/').slice(0, query);
}

/**
 * A client may reset its connection at any moment of an upgrade. Node's HTTP server stops
 * listening for errors on a socket once it emits 'upgrade', and a socket error nobody listens for
 * ends the process; so each upgrade socket gets a listener at once, before any handler (ws,
 * sockjs's faye-websocket, engine.io) adds its own. The handlers still see the socket close.
 */
function ignoreResetByClient(): void {}

function dispatch(routes: UpgradeRoute[], req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', ignoreResetByClient);
  const path = pathOf(req.url);
  const route = routes.find((candidate) => candidate.matches(path));
  if (!route) return refuseUpgrade(socket, 404, 'Not Found');
  if (!route.originAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden');
  route.handle(req, socket, head);
}

export function refuseUpgrade(socket: Duplex, status: number, statusText: string): void {
  socket.on('error', ignoreResetByClient);
  const destroy = () => socket.destroy();
  setTimeout(destroy, REFUSAL_GRACE_MS).unref();
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, destroy);
}
