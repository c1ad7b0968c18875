/**
 * The broker's WebSocket endpoints on the API's HTTP server:
 * - `/api/v1/shells/<session id>`: the launcher, with the session's secret as
 *   `Authorization: Bearer <secret>` or as its first frame `"0" + secret` (a launcher that sends
 *   both is authenticated by the header; its redundant auth frame is dropped by the live session);
 * - `/api/v1/fleet/shells/<session id>/websocket`: the operator, whose first frame is
 *   `{"type":"auth","data":{"token":...}}`.
 * Every refusal completes the handshake and then closes with a code and a reason the client can show
 * (an upgrade refused for its browser Origin is an HTTP 403, by the server's upgrade router).
 * Bounds (shared/auth/socket-guards.ts): each socket holds an unauthenticated slot until it joined
 * or was refused (none free: close 1013) and is closed with 4408 when it has not authenticated
 * within SOCKET_AUTH_TIMEOUT_MS; a joined operator is registered under its token, and the end of
 * that session (logout on any instance, expiry) closes the shell, both sides, with 4401.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, type Authenticator } from '../../shared/auth/authenticator';
import type { Admission } from '../../shared/auth/pending-sockets';
import { GUARD_CLOSE, type SocketGuards } from '../../shared/auth/socket-guards';
import { DomainError, type DomainErrorKind } from '../../shared/domain/errors';
import { canOpenRemoteShells } from '../../shared/domain/users/roles';
import { routeUpgrades } from '../../shared/http/upgrade-router';
import type { Logger } from '../../shared/observability/logger';
import { frameText, LAUNCHER_MAX_FRAME_BYTES, OPERATOR_MAX_FRAME_BYTES } from './frames';
import { FrameQueue } from './frame-queue';
import { CLOSE_CODES } from './live-session';
import type { ShellBroker } from './shell-broker';

const LAUNCHER_PATH = /^\/api\/v1\/shells\/([\w-]{1,64})$/;
const OPERATOR_PATH = /^\/api\/v1\/fleet\/shells\/([\w-]{1,64})\/websocket$/;

const CLOSE_CODE_OF: Record<DomainErrorKind, number> = {
  unauthorized: CLOSE_CODES.unauthorized,
  forbidden: CLOSE_CODES.forbidden,
  not_found: CLOSE_CODES.notFound,
  gone: CLOSE_CODES.notFound,
  conflict: CLOSE_CODES.conflict,
  validation: CLOSE_CODES.badFrame,
  bad_request: CLOSE_CODES.badFrame,
  unavailable: 1011,
  too_many_requests: 1013, // Try Again Later
};

export interface ShellSocketsDeps {
  broker: ShellBroker;
  authenticator: Authenticator;
  guards: SocketGuards;
  logger: Logger;
}

export interface ShellSockets {
  close(): void;
}

/** Serves the two shell paths' upgrades on `server` (through its upgrade router). */
export function attachShellSockets(server: Server, deps: ShellSocketsDeps): ShellSockets {
  const launchers = new WebSocketServer({ noServer: true, maxPayload: LAUNCHER_MAX_FRAME_BYTES });
  const operators = new WebSocketServer({ noServer: true, maxPayload: OPERATOR_MAX_FRAME_BYTES });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const launcher = LAUNCHER_PATH.exec(path);
    const operator = OPERATOR_PATH.exec(path);
    if (launcher) launchers.handleUpgrade(req, socket, head, (ws) => guarded(deps, ws, (admission) => joinLauncher(deps, ws, req, launcher[1], admission)));
    else if (operator) operators.handleUpgrade(req, socket, head, (ws) => guarded(deps, ws, (admission) => joinOperator(deps, ws, operator[1], admission)));
  };
  const unroute = routeUpgrades(server, {
    matches: (path) => LAUNCHER_PATH.test(path) || OPERATOR_PATH.test(path),
    originAllowed: deps.guards.originAllowed,
    handle: onUpgrade,
  });
  return {
    close() {
      unroute();
      for (const client of [...launchers.clients, ...operators.clients]) client.terminate();
      launchers.close();
      operators.close();
    },
  };
}

/** Runs a join holding an unauthenticated slot, which ends when the join does (or the socket closes). */
function guarded(deps: ShellSocketsDeps, ws: WebSocket, join: (admission: Admission) => Promise<void>): void {
  const timeoutMs = deps.guards.pending.timeoutMs;
  const admission = deps.guards.pending.admit(() => refuse(ws, CLOSE_CODES.timeout, `not authenticated within ${timeoutMs} ms`));
  if (!admission) return refuse(ws, GUARD_CLOSE.tryAgainLater, 'too many unauthenticated connections; try again later');
  ws.once('close', () => admission.end());
  void join(admission).finally(() => admission.end());
}

function refuse(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
}

function refuseForError(ws: WebSocket, error: unknown, deps: ShellSocketsDeps): void {
  if (error instanceof DomainError) return refuse(ws, CLOSE_CODE_OF[error.kind], error.message.slice(0, 120));
  deps.logger.error({ err: error }, 'shell join failed');
  refuse(ws, 1011, 'internal error');
}

async function joinLauncher(deps: ShellSocketsDeps, ws: WebSocket, req: IncomingMessage, sessionId: string, admission: Admission): Promise<void> {
  const frames = new FrameQueue(ws);
  ws.on('error', () => undefined);
  let secret = bearerToken(req.headers.authorization);
  if (secret === null) {
    const first = await frames.next(deps.guards.pending.timeoutMs);
    const text = first ? frameText(first.data, first.isBinary) : null;
    if (text === null || text[0] !== '0' || text.length < 2) {
      return refuse(ws, first ? CLOSE_CODES.unauthorized : CLOSE_CODES.timeout, 'authenticate with Authorization: Bearer <secret> or a first frame "0"+secret');
    }
    secret = text.slice(1);
  }
  let session;
  try {
    session = await deps.broker.sessionFor(sessionId);
    if (!session) return refuse(ws, CLOSE_CODES.unauthorized, 'the session secret is not valid for this session');
    await deps.broker.commands.joinAsLauncher(sessionId, session.host, secret);
  } catch (error) {
    deps.logger.warn({ sessionId, reason: (error as Error).message }, 'launcher refused');
    return refuseForError(ws, error, deps);
  }
  admission.end();
  session.attach('launcher', ws, frames);
}

async function joinOperator(deps: ShellSocketsDeps, ws: WebSocket, sessionId: string, admission: Admission): Promise<void> {
  const frames = new FrameQueue(ws);
  ws.on('error', () => undefined);
  const first = await frames.next(deps.guards.pending.timeoutMs);
  if (!first) return refuse(ws, CLOSE_CODES.timeout, 'no auth frame in time');
  let token: unknown;
  try {
    const message = JSON.parse(frameText(first.data, first.isBinary) ?? '') as { type?: unknown; data?: { token?: unknown } };
    token = message.type === 'auth' ? message.data?.token : undefined;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string') return refuse(ws, CLOSE_CODES.badFrame, 'the first frame must be {"type":"auth","data":{"token":"..."}}');
  const authenticated = await deps.authenticator.sessionForToken(token);
  if (!authenticated) return refuse(ws, CLOSE_CODES.unauthorized, 'Authentication required');
  const { user } = authenticated;
  if (!canOpenRemoteShells(user.global_role)) return refuse(ws, CLOSE_CODES.forbidden, 'only admins may open remote shells');
  let session;
  try {
    session = await deps.broker.sessionFor(sessionId);
    if (!session) return refuse(ws, CLOSE_CODES.notFound, 'no live shell session with this id');
    session.expectOperator();
    await deps.broker.commands.joinAsOperator(sessionId, { id: user.id, email: user.email, name: user.name });
  } catch (error) {
    session?.operatorJoinFailed();
    return refuseForError(ws, error, deps);
  }
  const registration = deps.guards.live.register(authenticated, (ended) =>
    session.close({ reason: `the operator's session ${ended}`, closed_by: 'logbook' }, GUARD_CLOSE.unauthorized),
  );
  if (!registration) {
    session.operatorJoinFailed();
    return refuse(ws, CLOSE_CODES.unauthorized, 'Authentication required');
  }
  ws.once('close', () => registration.unregister());
  admission.end();
  session.attach('operator', ws, frames);
}
