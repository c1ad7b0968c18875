/**
 * The role matrix as data: ACTIONS (who may do what, one row per line of README's "Roles" table)
 * and PROBES (every operator route and socket, each with the action it exercises and a minimal
 * valid request). role-matrix.test.ts walks every probe as every principal and asserts the
 * outcome; it also asserts that ACTIONS and README's table say the same, so neither can drift.
 *
 * Outcomes: `allowed` is the probe's success (its status, 200 unless given, and, for a field
 * probe, the field shown); `denied` is a 403 (a socket's forbidden answer) or, for a field probe,
 * a 200 without the field; `unauthenticated` is a 401 (a socket's authentication failure).
 */
import type { GlobalRole } from '../../shared/domain/users/roles';

export type Allowed = Record<GlobalRole, boolean>;
const ALL: Allowed = { admin: true, maintainer: true, observer: true };
const WRITERS: Allowed = { admin: true, maintainer: true, observer: false };
const ADMINS: Allowed = { admin: true, maintainer: false, observer: false };

/** README's rows, in its order: the action's text (README's first column) and who may. */
export const ACTIONS = {
  'Read queries': ALL,
  'Apply queries': WRITERS,
  'Delete queries': WRITERS,
  'Read packs': WRITERS,
  'Apply packs': WRITERS,
  'Delete packs': WRITERS,
  'Read labels': ALL,
  'Apply labels': WRITERS,
  'Delete labels': WRITERS,
  'Read policies': ALL,
  'Apply policies': WRITERS,
  'Delete policies': WRITERS,
  'Read teams (names, ids, host counts)': ALL,
  "Read a team's enroll secrets": WRITERS,
  "Read a team's agent options": ADMINS,
  'Apply teams (secrets and agent options included)': ADMINS,
  'Delete teams': ADMINS,
  'Read the global enroll secrets': WRITERS,
  'Replace the global enroll secrets': WRITERS,
  "See hosts, a host, a label's hosts": ALL,
  'Read the activity feed': ALL,
  'Check the live query and result store status': ALL,
  'Run a saved query marked observer_can_run': ALL,
  'Run any other saved query, or ad-hoc SQL': WRITERS,
  'List the campaigns one may see (observers: their own)': ALL,
  'See, watch and stop a campaign one started': ALL,
  "See, watch and stop another user's campaign": WRITERS,
  "Read one's own account, log out": ALL,
  'Read the server version': ALL,
  'Read the app config (organization, server, host and webhook settings)': ALL,
  "Read the app config's SMTP, SSO and host expiry settings and global agent options": ADMINS,
  'Modify the app config': ADMINS,
  'List and create users': ADMINS,
  "Read and rename one's own user": ALL,
  'Read and rename another user': ADMINS,
  "Change a user's global role": ADMINS,
  'Delete a user': ADMINS,
  'Open and join remote shells': ADMINS,
  'See shell sessions and shell-enabled hosts': ADMINS,
  'Read the server certificate chain': ALL,
  'Read the osqueryd flagfile': WRITERS,
} satisfies Record<string, Allowed>;
export type Action = keyof typeof ACTIONS;

/** What the probes need to exist beforehand (role-matrix-fixtures.ts makes it). */
export interface Fixtures {
  hostId: number;
  hostName: string;
  labelId: number;
  openQueryId: number;
  closedQueryId: number;
  /** The campaign each role's user started (of the open query). */
  ownCampaign: Record<GlobalRole, number>;
  /** A campaign a user of none of the probed principals started. */
  othersCampaign: number;
  shellHostId: number;
  teamName: string;
  /** The team's id (GET /teams/{id}). */
  teamId: number;
  teamSecret: string;
  /** A string only the team's agent options contain. */
  agentOptionsMarker: string;
  enrollSecret: string;
  /** A policy of the team (GET /teams/{id}/policies/{policy_id}). */
  teamPolicyId: number;
  /** The team's policies each role's team policy deletion probe deletes. */
  doomedTeamPolicyIds: Record<GlobalRole, number>;
  /** The ids of the policies and teams named doomedName(role), which each role's deletion probes delete. */
  doomedPolicyIds: Record<GlobalRole, number>;
  doomedTeamIds: Record<GlobalRole, number>;
  /** Each role's own user id. */
  userIds: Record<GlobalRole, number>;
  /** An observer every role's probes read, rename (to its name) and set to observer: changes nothing. */
  targetUser: { id: number; email: string; name: string };
  /** The user each role's deletion probe deletes. */
  doomedUserIds: Record<GlobalRole, number>;
}

type At<T> = T | ((fixtures: Fixtures, role: GlobalRole | null) => T);

export type Socket = 'results-websocket' | 'results-sockjs' | 'results-socketio' | 'shell-operator';

interface ProbeBase {
  action: Action;
  /** The route as Express declares it (full path), or the socket's path: what completeness checks. */
  route: string;
}

export interface HttpProbe extends ProbeBase {
  kind: 'http';
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: At<string>;
  body?: At<unknown>;
  /** The success status (200 unless given). */
  ok?: number;
  /** A field probe: allowed shows the text (the response contains it), denied does not. */
  shows?: (fixtures: Fixtures) => string;
  /** Use a session of the role's own made for this probe (POST /logout ends it). */
  freshSession?: boolean;
}

export interface SocketProbe extends ProbeBase {
  kind: 'socket';
  socket: Socket;
  /** The campaign a results socket selects. */
  campaign?: (fixtures: Fixtures, role: GlobalRole | null) => number;
}

export type Probe = HttpProbe | SocketProbe;

const F = '/api/v1/fleet';
let serial = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++serial}`;

/** The spec kinds' read and apply probes: list, one, history, apply. */
function specProbes(plural: string, name: (f: Fixtures) => string, read: Action, apply: Action, body: (f: Fixtures) => unknown): Probe[] {
  return [
    { kind: 'http', action: read, route: `GET ${F}/spec/:kind`, method: 'GET', path: `${F}/spec/${plural}` },
    { kind: 'http', action: read, route: `GET ${F}/spec/:kind/:name`, method: 'GET', path: (f) => `${F}/spec/${plural}/${encodeURIComponent(name(f))}` },
    { kind: 'http', action: read, route: `GET ${F}/spec/:kind/:name/history`, method: 'GET', path: (f) => `${F}/spec/${plural}/${encodeURIComponent(name(f))}/history` },
    { kind: 'http', action: apply, route: `POST ${F}/spec/:kind`, method: 'POST', path: `${F}/spec/${plural}`, body },
  ];
}

/**
 * A deletion probe: each role deletes a spec of its own (role-matrix-fixtures.ts applies
 * `matrix-doomed-<role>` of each deletable kind), so an allowed deletion never leaves the next
 * principal a 404; the unauthenticated principals aim at the admin's, and are refused first.
 */
function deleteProbe(plural: string, action: Action): Probe {
  return { kind: 'http', action, route: `DELETE ${F}/${plural}/:name`, method: 'DELETE', path: (_f, role) => `${F}/${plural}/${doomedName(role ?? 'admin')}` };
}

/** The name of the spec (of each deletable kind) that `role`'s deletion probe deletes. */
export const doomedName = (role: GlobalRole) => `matrix-doomed-${role}`;

const teamSpec = (f: Fixtures) => ({
  specs: [{ name: f.teamName, agent_options: { config: { options: { logger_plugin: f.agentOptionsMarker } } }, secrets: [{ secret: f.teamSecret }] }],
});

/** The reads of a team, each as a field probe for the secrets and for the agent options. */
function teamFieldProbes(): Probe[] {
  const paths: Array<[string, (f: Fixtures) => string]> = [
    [`GET ${F}/spec/:kind`, () => `${F}/spec/teams`],
    [`GET ${F}/spec/:kind/:name`, (f) => `${F}/spec/teams/${encodeURIComponent(f.teamName)}`],
    [`GET ${F}/spec/:kind/:name/history`, (f) => `${F}/spec/teams/${encodeURIComponent(f.teamName)}/history`],
    [`GET ${F}/teams`, () => `${F}/teams`],
    [`GET ${F}/teams/:id`, (f) => `${F}/teams/${f.teamId}`],
  ];
  return paths.flatMap(([route, path]): Probe[] => [
    { kind: 'http', action: "Read a team's enroll secrets", route, method: 'GET', path, shows: (f) => f.teamSecret },
    { kind: 'http', action: "Read a team's agent options", route, method: 'GET', path, shows: (f) => f.agentOptionsMarker },
  ]);
}

/** A results socket probe per transport, selecting `campaign`. */
function resultsSocketProbes(action: Action, campaign: (f: Fixtures, role: GlobalRole | null) => number): Probe[] {
  const sockets: Array<[Socket, string]> = [
    ['results-websocket', `WS ${F}/results/websocket`],
    ['results-sockjs', `SOCKJS ${F}/results`],
    ['results-socketio', 'SOCKETIO /campaigns'],
  ];
  return sockets.map(([socket, route]) => ({ kind: 'socket', action, route, socket, campaign }));
}

/** The campaign a principal started: a role's own; an unauthenticated one's is the admin's. */
const own = (f: Fixtures, role: GlobalRole | null) => f.ownCampaign[role ?? 'admin'];
const others = (f: Fixtures) => f.othersCampaign;
const runBody = (selector: (f: Fixtures) => object) => (f: Fixtures) => ({ ...selector(f), selected: { hosts: [f.hostId] } });
const runByNamesBody = (selector: (f: Fixtures) => object) => (f: Fixtures) => ({ ...selector(f), selected: { hosts: [f.hostName] } });

export const PROBES: Probe[] = [
  ...specProbes('queries', () => 'matrix-query', 'Read queries', 'Apply queries', () => ({ specs: [{ name: 'matrix-query', query: 'SELECT 1' }] })),
  { kind: 'http', action: 'Read queries', route: `GET ${F}/queries`, method: 'GET', path: `${F}/queries` },
  deleteProbe('queries', 'Delete queries'),
  deleteProbe('packs', 'Delete packs'),
  deleteProbe('labels', 'Delete labels'),
  ...specProbes('packs', () => 'matrix-pack', 'Read packs', 'Apply packs', () => ({
    specs: [{ name: 'matrix-pack', targets: { labels: ['All Hosts'], teams: null }, queries: [{ query: 'matrix-query', interval: 60 }] }],
  })),
  ...specProbes('labels', () => 'matrix-label', 'Read labels', 'Apply labels', () => ({ specs: [{ name: 'matrix-label', query: 'SELECT 1' }] })),
  ...specProbes('policies', () => 'matrix-policy', 'Read policies', 'Apply policies', () => ({ specs: [{ name: 'matrix-policy', query: 'SELECT 1' }] })),
  { kind: 'http', action: 'Read policies', route: `GET ${F}/policies`, method: 'GET', path: `${F}/policies` },
  { kind: 'http', action: 'Read policies', route: `GET ${F}/global/policies`, method: 'GET', path: `${F}/global/policies` },
  {
    kind: 'http', action: 'Delete policies', route: `POST ${F}/global/policies/delete`, method: 'POST', path: `${F}/global/policies/delete`,
    body: (f: Fixtures, role: GlobalRole | null) => ({ ids: [f.doomedPolicyIds[role ?? 'admin']] }),
  },
  { kind: 'http', action: 'Read policies', route: `GET ${F}/teams/:team_id/policies`, method: 'GET', path: (f) => `${F}/teams/${f.teamId}/policies` },
  {
    kind: 'http', action: 'Read policies', route: `GET ${F}/teams/:team_id/policies/:policy_id`, method: 'GET',
    path: (f) => `${F}/teams/${f.teamId}/policies/${f.teamPolicyId}`,
  },
  {
    kind: 'http', action: 'Delete policies', route: `POST ${F}/teams/:team_id/policies/delete`, method: 'POST', path: (f) => `${F}/teams/${f.teamId}/policies/delete`,
    body: (f: Fixtures, role: GlobalRole | null) => ({ ids: [f.doomedTeamPolicyIds[role ?? 'admin']] }),
  },
  { kind: 'http', action: 'Delete teams', route: `DELETE ${F}/teams/:id`, method: 'DELETE', path: (f, role) => `${F}/teams/${f.doomedTeamIds[role ?? 'admin']}` },
  ...specProbes('teams', (f) => f.teamName, 'Read teams (names, ids, host counts)', 'Apply teams (secrets and agent options included)', teamSpec),
  { kind: 'http', action: 'Read teams (names, ids, host counts)', route: `GET ${F}/teams`, method: 'GET', path: `${F}/teams` },
  { kind: 'http', action: 'Read teams (names, ids, host counts)', route: `GET ${F}/teams/:id`, method: 'GET', path: (f) => `${F}/teams/${f.teamId}` },
  ...teamFieldProbes(),
  { kind: 'http', action: 'Read the global enroll secrets', route: `GET ${F}/spec/enroll_secret`, method: 'GET', path: `${F}/spec/enroll_secret` },
  {
    kind: 'http', action: 'Replace the global enroll secrets', route: `POST ${F}/spec/enroll_secret`, method: 'POST',
    path: `${F}/spec/enroll_secret`, body: (f: Fixtures) => ({ spec: { secrets: [{ secret: f.enrollSecret }] } }),
  },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/hosts`, method: 'GET', path: `${F}/hosts` },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/hosts/:id`, method: 'GET', path: (f) => `${F}/hosts/${f.hostId}` },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/hosts/identifier/:identifier`, method: 'GET', path: (f) => `${F}/hosts/identifier/${f.hostName}` },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/labels/:id/hosts`, method: 'GET', path: (f) => `${F}/labels/${f.labelId}/hosts` },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/hosts/count`, method: 'GET', path: `${F}/hosts/count` },
  { kind: 'http', action: "See hosts, a host, a label's hosts", route: `GET ${F}/host_summary`, method: 'GET', path: `${F}/host_summary` },
  {
    kind: 'http', action: "See hosts, a host, a label's hosts", route: `POST ${F}/targets`, method: 'POST', path: `${F}/targets`,
    body: (f: Fixtures) => ({ query: '', selected: { hosts: [f.hostId] } }),
  },
  { kind: 'http', action: 'Read the activity feed', route: `GET ${F}/activities`, method: 'GET', path: `${F}/activities` },
  { kind: 'http', action: 'Check the live query and result store status', route: `GET ${F}/status/live_query`, method: 'GET', path: `${F}/status/live_query` },
  { kind: 'http', action: 'Check the live query and result store status', route: `GET ${F}/status/result_store`, method: 'GET', path: `${F}/status/result_store` },
  { kind: 'http', action: 'Run a saved query marked observer_can_run', route: `POST ${F}/queries/run`, method: 'POST', path: `${F}/queries/run`, body: runBody((f) => ({ query_id: f.openQueryId })) },
  {
    kind: 'http', action: 'Run a saved query marked observer_can_run', route: `POST ${F}/queries/run_by_names`, method: 'POST',
    path: `${F}/queries/run_by_names`, body: runByNamesBody((f) => ({ query_id: f.openQueryId })),
  },
  { kind: 'http', action: 'Run any other saved query, or ad-hoc SQL', route: `POST ${F}/queries/run`, method: 'POST', path: `${F}/queries/run`, body: runBody((f) => ({ query_id: f.closedQueryId })) },
  { kind: 'http', action: 'Run any other saved query, or ad-hoc SQL', route: `POST ${F}/queries/run`, method: 'POST', path: `${F}/queries/run`, body: runBody(() => ({ query: 'SELECT 2' })) },
  {
    kind: 'http', action: 'Run any other saved query, or ad-hoc SQL', route: `POST ${F}/queries/run_by_names`, method: 'POST',
    path: `${F}/queries/run_by_names`, body: runByNamesBody(() => ({ query: 'SELECT 3' })),
  },
  { kind: 'http', action: 'List the campaigns one may see (observers: their own)', route: `GET ${F}/campaigns`, method: 'GET', path: `${F}/campaigns` },
  ...campaignProbes('See, watch and stop a campaign one started', own),
  ...campaignProbes("See, watch and stop another user's campaign", others),
  { kind: 'http', action: "Read one's own account, log out", route: `GET ${F}/me`, method: 'GET', path: `${F}/me` },
  { kind: 'http', action: "Read one's own account, log out", route: `POST ${F}/logout`, method: 'POST', path: `${F}/logout`, freshSession: true },
  { kind: 'http', action: 'Read the server version', route: `GET ${F}/version`, method: 'GET', path: `${F}/version` },
  { kind: 'http', action: 'Read the app config (organization, server, host and webhook settings)', route: `GET ${F}/config`, method: 'GET', path: `${F}/config` },
  {
    kind: 'http', action: "Read the app config's SMTP, SSO and host expiry settings and global agent options", route: `GET ${F}/config`, method: 'GET',
    path: `${F}/config`, shows: () => '"agent_options"',
  },
  { kind: 'http', action: 'Modify the app config', route: `PATCH ${F}/config`, method: 'PATCH', path: `${F}/config`, body: () => ({ server_settings: { enable_analytics: false } }) },
  { kind: 'http', action: 'List and create users', route: `GET ${F}/users`, method: 'GET', path: `${F}/users` },
  {
    kind: 'http', action: 'List and create users', route: `POST ${F}/users/admin`, method: 'POST', path: `${F}/users/admin`,
    body: () => ({ name: 'Matrix User', email: `${unique('matrix')}@example.com`, password: 'matrix-pass-9$', global_role: 'observer' }),
  },
  { kind: 'http', action: "Read and rename one's own user", route: `GET ${F}/users/:id`, method: 'GET', path: (f, role) => `${F}/users/${f.userIds[role ?? 'admin']}` },
  {
    kind: 'http', action: "Read and rename one's own user", route: `PATCH ${F}/users/:id`, method: 'PATCH',
    path: (f, role) => `${F}/users/${f.userIds[role ?? 'admin']}`, body: (_f: Fixtures, role: GlobalRole | null) => ({ name: `matrix ${role ?? 'admin'}` }),
  },
  { kind: 'http', action: 'Read and rename another user', route: `GET ${F}/users/:id`, method: 'GET', path: (f) => `${F}/users/${f.targetUser.id}` },
  { kind: 'http', action: 'Read and rename another user', route: `PATCH ${F}/users/:id`, method: 'PATCH', path: (f) => `${F}/users/${f.targetUser.id}`, body: (f: Fixtures) => ({ name: f.targetUser.name }) },
  { kind: 'http', action: "Change a user's global role", route: `PATCH ${F}/users/:id`, method: 'PATCH', path: (f) => `${F}/users/${f.targetUser.id}`, body: () => ({ global_role: 'observer' }) },
  {
    kind: 'http', action: "Change a user's global role", route: `POST ${F}/users/roles/spec`, method: 'POST', path: `${F}/users/roles/spec`,
    body: (f: Fixtures) => ({ spec: { roles: { [f.targetUser.email]: { global_role: 'observer', teams: null } } } }),
  },
  { kind: 'http', action: 'Delete a user', route: `DELETE ${F}/users/:id`, method: 'DELETE', path: (f, role) => `${F}/users/${f.doomedUserIds[role ?? 'admin']}` },
  { kind: 'http', action: 'Open and join remote shells', route: `POST ${F}/hosts/:id/shells`, method: 'POST', path: (f) => `${F}/hosts/${f.shellHostId}/shells` },
  { kind: 'socket', action: 'Open and join remote shells', route: `WS ${F}/shells/:session_id/websocket`, socket: 'shell-operator' },
  { kind: 'http', action: 'See shell sessions and shell-enabled hosts', route: `GET ${F}/shells`, method: 'GET', path: `${F}/shells` },
  { kind: 'http', action: 'See shell sessions and shell-enabled hosts', route: `GET ${F}/shells/hosts`, method: 'GET', path: `${F}/shells/hosts` },
  { kind: 'http', action: 'Read the server certificate chain', route: `GET ${F}/config/certificate`, method: 'GET', path: `${F}/config/certificate` },
  { kind: 'http', action: 'Read the osqueryd flagfile', route: `GET ${F}/osquery/flagfile`, method: 'GET', path: `${F}/osquery/flagfile` },
];

/** A campaign's state, results, live results on every transport, and stopping it. */
function campaignProbes(action: Action, campaign: (f: Fixtures, role: GlobalRole | null) => number): Probe[] {
  return [
    { kind: 'http', action, route: `GET ${F}/campaigns/:id`, method: 'GET', path: (f, role) => `${F}/campaigns/${campaign(f, role)}` },
    { kind: 'http', action, route: `GET ${F}/campaigns/:id/results`, method: 'GET', path: (f, role) => `${F}/campaigns/${campaign(f, role)}/results` },
    ...resultsSocketProbes(action, campaign),
    { kind: 'http', action, route: `POST ${F}/campaigns/:id/stop`, method: 'POST', path: (f, role) => `${F}/campaigns/${campaign(f, role)}/stop` },
  ];
}

/** The sockets (no Express route to find them by): each must have a probe. */
export const SOCKET_ROUTES = [`WS ${F}/results/websocket`, `SOCKJS ${F}/results`, 'SOCKETIO /campaigns', `WS ${F}/shells/:session_id/websocket`];
