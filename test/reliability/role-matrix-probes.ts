/**
 * Runs one probe of the role matrix as one principal and says what happened, in the table's
 * terms: `allowed`, `denied`, `unauthenticated`, or `unexpected: ...` (which never matches an
 * expectation, so a probe that answers neither success nor 401/403 fails the walk too).
 */
import { watchCampaign, type GatewayMessage, type Transport } from '../../services/results-watcher/watcher-transports';
import type { GlobalRole } from '../../shared/domain/users/roles';
import { FleetClient } from '../support/fleet-client';
import { joinAsOperator } from '../support/shell-client';
import type { MatrixWorld, Principal } from './role-matrix-fixtures';
import type { HttpProbe, Probe, SocketProbe } from './role-matrix-table';

export type Outcome = 'allowed' | 'denied' | 'unauthenticated' | `unexpected: ${string}`;

export interface Observation {
  outcome: Outcome;
  /** What was seen (status, frame, close code), for the failure listing. */
  detail: string;
}

const SOCKET_WAIT_MS = 5_000;
/** How long an operator's join must stay open to count as accepted (refusals close at once). */
const SHELL_ACCEPT_MS = 1_500;

const roleOf = (principal: Principal): GlobalRole | null =>
  principal === 'admin' || principal === 'maintainer' || principal === 'observer' ? principal : null;

function resolve<T>(value: T | ((...args: never[]) => T), world: MatrixWorld, role: GlobalRole | null): T {
  return typeof value === 'function' ? (value as (f: MatrixWorld['fixtures'], r: GlobalRole | null) => T)(world.fixtures, role) : value;
}

async function runHttp(probe: HttpProbe, world: MatrixWorld, principal: Principal): Promise<Observation> {
  const role = roleOf(principal);
  const token = probe.freshSession && role ? await world.freshToken(role) : world.tokens[principal];
  const path = resolve(probe.path, world, role);
  const body = probe.body === undefined ? (probe.method === 'POST' ? {} : undefined) : resolve(probe.body, world, role);
  const res = await new FleetClient(world.logbook.url, token).request(probe.method, path, body);
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  const detail = `${probe.method} ${path} → ${res.status} ${text.slice(0, 200)}`;
  if (res.status === 401) return { outcome: 'unauthenticated', detail };
  if (res.status === 403) return { outcome: 'denied', detail };
  if (res.status !== (probe.ok ?? 200)) return { outcome: `unexpected: ${res.status}`, detail };
  if (!probe.shows) return { outcome: 'allowed', detail };
  return { outcome: text.includes(probe.shows(world.fixtures)) ? 'allowed' : 'denied', detail: `${detail} (field ${text.includes(probe.shows(world.fixtures)) ? 'shown' : 'left out'})` };
}

/** What a results-socket message or close says, in the table's terms (null: keep listening). */
function classifyResults(message: GatewayMessage | null, closeReason: string | null): Outcome | null {
  if (message) {
    if (['totals', 'status', 'result'].includes(message.type)) return 'allowed';
    if (message.type !== 'error') return null;
    const text = String(message.data);
    if (/not allowed/.test(text)) return 'denied';
    if (/^auth:|authenticate first/.test(text)) return 'unauthenticated';
    return `unexpected: ${text}`;
  }
  if (closeReason && /^refused: auth:/.test(closeReason)) return 'unauthenticated';
  return `unexpected: ${closeReason}`;
}

const TRANSPORT: Record<string, Transport> = { 'results-websocket': 'websocket', 'results-sockjs': 'sockjs', 'results-socketio': 'socketio' };

function runResultsSocket(probe: SocketProbe, world: MatrixWorld, principal: Principal): Promise<Observation> {
  const campaignId = probe.campaign!(world.fixtures, roleOf(principal));
  const transport = TRANSPORT[probe.socket]!;
  return new Promise((done) => {
    let settled = false;
    const seen: string[] = [];
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watch.close();
      done({ outcome, detail: `${transport} select_campaign ${campaignId}: ${seen.join(' | ').slice(0, 300)}` });
    };
    const timer = setTimeout(() => finish('unexpected: no answer in time'), SOCKET_WAIT_MS);
    const watch = watchCampaign(transport, world.logbook.url, world.tokens[principal] ?? '', campaignId, {
      onMessage(message) {
        seen.push(`${message.type} ${JSON.stringify(message.data).slice(0, 100)}`);
        const outcome = classifyResults(message, null);
        if (outcome) finish(outcome);
      },
      onClose(reason) {
        seen.push(reason);
        finish(classifyResults(null, reason)!);
      },
    });
  });
}

/** An operator's join of a live session; an admin joins one they requested (a session is its requester's). */
async function runShellSocket(world: MatrixWorld, principal: Principal): Promise<Observation> {
  const shell = await world.liveShell(principal === 'admin' ? world.tokens.admin : null);
  try {
    const operator = await joinAsOperator(world.logbook.url, shell.sessionId, world.tokens[principal] ?? '');
    const closed = await Promise.race([operator.closed, new Promise<null>((done) => setTimeout(() => done(null), SHELL_ACCEPT_MS))]);
    operator.socket.close();
    if (!closed) return { outcome: 'allowed', detail: `joined session ${shell.sessionId}, still open after ${SHELL_ACCEPT_MS} ms` };
    const detail = `closed ${closed.code} ${closed.reason}`;
    if (closed.code === 4401) return { outcome: 'unauthenticated', detail };
    if (closed.code === 4403) return { outcome: 'denied', detail };
    return { outcome: `unexpected: ${closed.code}`, detail };
  } finally {
    shell.close();
  }
}

export function runProbe(probe: Probe, world: MatrixWorld, principal: Principal): Promise<Observation> {
  if (probe.kind === 'http') return runHttp(probe, world, principal);
  if (probe.socket === 'shell-operator') return runShellSocket(world, principal);
  return runResultsSocket(probe, world, principal);
}
