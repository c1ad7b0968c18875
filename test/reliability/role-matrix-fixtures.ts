/**
 * The world the role matrix walks: one Logbook (the all-in-one, black box) with a user of each
 * role, the fixtures every probe needs (a shell-enabled host, specs of every kind, campaigns), and
 * the four unauthenticated principals: no token, a garbage token, a token its user logged out
 * (revoked) and an expired one. The expired token is made honestly: Logbook is started with
 * SESSION_TTL_HOURS=0.0003 (about a second; the parser takes fractions above 0), the user logs in,
 * the token is seen to work, then Logbook runs on the same data with the default TTL and the test
 * waits until that session's expires_at has passed.
 */
import assert from 'node:assert/strict';
import { GLOBAL_ROLES, type GlobalRole } from '../../shared/domain/users/roles';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { newDataDir, startLogbook, type LogbookProcess } from '../support/logbook-process';
import { applyEnrollSecret, enrollHost, ENROLL_SECRET, joinAsLauncher, pollShells } from '../support/shell-client';
import { doomedName, type Fixtures } from './role-matrix-table';

export const UNAUTHENTICATED = ['no token', 'garbage token', 'revoked token', 'expired token'] as const;
export type Unauthenticated = (typeof UNAUTHENTICATED)[number];
export type Principal = GlobalRole | Unauthenticated;
export const PRINCIPALS: readonly Principal[] = [...GLOBAL_ROLES, ...UNAUTHENTICATED];

const PASSWORD = 'matrix-secret-9$';
const EXPIRING_TTL_HOURS = 0.0003;

export interface MatrixWorld {
  logbook: LogbookProcess;
  fixtures: Fixtures;
  tokens: Record<Principal, string | null>;
  /** A new session of the role's user (for probes that end their session). */
  freshToken(role: GlobalRole): Promise<string>;
  /** The admin that made the fixtures (not a probed principal's session). */
  owner: FleetClient;
  /**
   * A new shell session on the fixtures' host, its launcher joined, for one operator to join:
   * requested with `requester`'s token if given (a session is its requester's), else by the owner.
   */
  liveShell(requester: string | null): Promise<LiveShell>;
}

function expectOk(res: { status: number; body: unknown }, what: string): void {
  assert.equal(res.status, 200, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function logIn(url: string, email: string, password: string): Promise<string> {
  const res = await new FleetClient(url).post('/api/v1/fleet/login', { email, password });
  expectOk(res, `login ${email}`);
  return res.body.token as string;
}

async function addUser(owner: FleetClient, email: string, role: GlobalRole): Promise<void> {
  expectOk(await owner.post('/api/v1/fleet/users/admin', { name: `matrix ${role}`, email, password: PASSWORD, global_role: role }), `create ${email}`);
}

async function until<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A token that worked and has expired: issued under a TTL of about a second, then outlived. */
async function expiredToken(dataDir: string, email: string): Promise<{ token: string; expiresAt: number }> {
  const short = await startLogbook({ dataDir, env: { SESSION_TTL_HOURS: String(EXPIRING_TTL_HOURS) } });
  const issuedAt = Date.now();
  const token = await logIn(short.url, email, PASSWORD);
  expectOk(await new FleetClient(short.url, token).get('/api/v1/fleet/me'), 'the short session works while fresh');
  await short.stop();
  return { token, expiresAt: issuedAt + EXPIRING_TTL_HOURS * 3_600_000 + 1_000 };
}

const emailOf = (role: GlobalRole) => `matrix-${role}@example.com`;

export async function buildWorld(): Promise<MatrixWorld> {
  const dataDir = newDataDir();
  const first = await startLogbook({ dataDir });
  const setupAdmin = await setUpAdmin(first.url);
  await addUser(setupAdmin, 'matrix-expiring@example.com', 'observer');
  await first.stop();
  const expired = await expiredToken(dataDir, 'matrix-expiring@example.com');

  const logbook = await startLogbook({ dataDir });
  const owner = new FleetClient(logbook.url, await logIn(logbook.url, ADMIN.email, ADMIN.password));
  for (const role of GLOBAL_ROLES) await addUser(owner, emailOf(role), role);
  await addUser(owner, 'matrix-other@example.com', 'admin');
  await addUser(owner, 'matrix-revoked@example.com', 'observer');
  await addUser(owner, 'matrix-target@example.com', 'observer');
  for (const role of GLOBAL_ROLES) await addUser(owner, `matrix-doomed-${role}@example.com`, 'observer');
  const users = (await owner.get('/api/v1/fleet/users')).body.users as Array<{ id: number; email: string; name: string }>;
  const userId = (email: string) => users.find((user) => user.email === email)!.id;
  const clients = {} as Record<GlobalRole, FleetClient>;
  for (const role of GLOBAL_ROLES) clients[role] = new FleetClient(logbook.url, await logIn(logbook.url, emailOf(role), PASSWORD));
  const other = new FleetClient(logbook.url, await logIn(logbook.url, 'matrix-other@example.com', PASSWORD));
  const revoked = await logIn(logbook.url, 'matrix-revoked@example.com', PASSWORD);
  expectOk(await new FleetClient(logbook.url, revoked).post('/api/v1/fleet/logout'), 'log out the revoked session');

  await applyEnrollSecret(owner);
  const hostName = 'matrix-host';
  const nodeKey = await enrollHost(logbook.url, hostName);
  expectOk(await pollShells(logbook.url, nodeKey), 'launcher poll');
  const shellHosts = await until(async () => (await owner.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>, (hosts) => hosts.some((h) => h.hostname === hostName), 'the shell-enabled host');
  const hostId = shellHosts.find((h) => h.hostname === hostName)!.host_id;

  const teamName = 'Matrix Team';
  const fixturesSoFar = { teamName, teamSecret: 'matrix-team-secret-7f3a', agentOptionsMarker: 'matrix-agent-options-marker-9c1e' };
  expectOk(await owner.post('/api/v1/fleet/spec/queries', {
    specs: [
      { name: 'matrix-query', query: 'SELECT 1' },
      { name: 'matrix-open', query: 'SELECT 1', observer_can_run: true },
      { name: 'matrix-closed', query: 'SELECT 2' },
    ],
  }), 'apply queries');
  expectOk(await owner.post('/api/v1/fleet/spec/packs', { specs: [{ name: 'matrix-pack', targets: { labels: ['All Hosts'], teams: null }, queries: [{ query: 'matrix-query', interval: 60 }] }] }), 'apply pack');
  expectOk(await owner.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'matrix-label', query: 'SELECT 1' }] }), 'apply label');
  expectOk(await owner.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'matrix-policy', query: 'SELECT 1' }] }), 'apply policy');
  expectOk(await owner.post('/api/v1/fleet/spec/teams', {
    specs: [{ name: teamName, agent_options: { config: { options: { logger_plugin: fixturesSoFar.agentOptionsMarker } } }, secrets: [{ secret: fixturesSoFar.teamSecret }] }],
  }), 'apply team');

  // What each role's deletion probes delete (role-matrix-table.ts deleteProbe).
  const doomed = GLOBAL_ROLES.map(doomedName);
  expectOk(await owner.post('/api/v1/fleet/spec/queries', { specs: doomed.map((name) => ({ name, query: 'SELECT 1' })) }), 'apply doomed queries');
  expectOk(await owner.post('/api/v1/fleet/spec/labels', { specs: doomed.map((name) => ({ name, query: 'SELECT 1' })) }), 'apply doomed labels');
  expectOk(await owner.post('/api/v1/fleet/spec/packs', { specs: doomed.map((name) => ({ name, targets: { labels: [name], teams: null }, queries: [{ query: name, interval: 60 }] })) }), 'apply doomed packs');
  expectOk(await owner.post('/api/v1/fleet/spec/policies', { specs: doomed.map((name) => ({ name, query: 'SELECT 1' })) }), 'apply doomed policies');
  expectOk(await owner.post('/api/v1/fleet/spec/teams', { specs: doomed.map((name) => ({ name, agent_options: null, secrets: [] })) }), 'apply doomed teams');
  const teamPolicy = (name: string) => ({ name, query: 'SELECT 1', team: teamName });
  expectOk(await owner.post('/api/v1/fleet/spec/policies', { specs: [teamPolicy('matrix-team-policy'), ...doomed.map((name) => teamPolicy(`${name}-team-policy`))] }), 'apply team policies');

  const saved = (await owner.get('/api/v1/fleet/queries')).body.queries as Array<{ id: number; name: string }>;
  const queryId = (name: string) => saved.find((query) => query.name === name)!.id;
  const labels = (await owner.get('/api/v1/fleet/spec/labels')).body.specs as Array<{ id: number; name: string }>;
  const teams = (await owner.get('/api/v1/fleet/spec/teams')).body.specs as Array<{ id: number; name: string }>;
  const policies = (await owner.get('/api/v1/fleet/spec/policies')).body.specs as Array<{ id: number; name: string }>;
  const idsByRole = (specs: Array<{ id: number; name: string }>) =>
    Object.fromEntries(GLOBAL_ROLES.map((role) => [role, specs.find((spec) => spec.name === doomedName(role))!.id])) as Record<GlobalRole, number>;
  const run = async (client: FleetClient, id: number): Promise<number> => {
    const res = await client.post('/api/v1/fleet/queries/run', { query_id: id, selected: { hosts: [hostId] } });
    expectOk(res, 'start a campaign');
    return res.body.campaign.id as number;
  };
  const ownCampaign = {} as Record<GlobalRole, number>;
  for (const role of GLOBAL_ROLES) ownCampaign[role] = await run(clients[role], queryId('matrix-open'));

  const fixtures: Fixtures = {
    ...fixturesSoFar,
    hostId,
    hostName,
    labelId: labels.find((label) => label.name === 'matrix-label')!.id,
    teamId: teams.find((team) => team.name === teamName)!.id,
    doomedPolicyIds: idsByRole(policies),
    teamPolicyId: policies.find((policy) => policy.name === 'matrix-team-policy')!.id,
    doomedTeamPolicyIds: Object.fromEntries(
      GLOBAL_ROLES.map((role) => [role, policies.find((policy) => policy.name === `${doomedName(role)}-team-policy`)!.id]),
    ) as Record<GlobalRole, number>,
    doomedTeamIds: idsByRole(teams),
    openQueryId: queryId('matrix-open'),
    closedQueryId: queryId('matrix-closed'),
    ownCampaign,
    othersCampaign: await run(other, queryId('matrix-closed')),
    shellHostId: hostId,
    enrollSecret: ENROLL_SECRET,
    userIds: Object.fromEntries(GLOBAL_ROLES.map((role) => [role, userId(emailOf(role))])) as Record<GlobalRole, number>,
    targetUser: { id: userId('matrix-target@example.com'), email: 'matrix-target@example.com', name: 'matrix observer' },
    doomedUserIds: Object.fromEntries(GLOBAL_ROLES.map((role) => [role, userId(`matrix-doomed-${role}@example.com`)])) as Record<GlobalRole, number>,
  };
  const waitMs = expired.expiresAt - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  return {
    logbook,
    fixtures,
    owner,
    tokens: {
      admin: clients.admin.token,
      maintainer: clients.maintainer.token,
      observer: clients.observer.token,
      'no token': null,
      'garbage token': 'not-a-token-0123456789abcdef',
      'revoked token': revoked,
      'expired token': expired.token,
    },
    freshToken: (role) => logIn(logbook.url, emailOf(role), PASSWORD),
    liveShell: (requester) => liveShell(logbook.url, requester ? owner.withToken(requester) : owner, hostId, nodeKey),
  };
}

/** The launcher's side of a live shell session on the fixtures' host, for one operator join. */
export interface LiveShell {
  sessionId: string;
  close(): void;
}

async function liveShell(url: string, requester: FleetClient, hostId: number, nodeKey: string): Promise<LiveShell> {
  const requested = await requester.post(`/api/v1/fleet/hosts/${hostId}/shells`);
  expectOk(requested, 'request a shell');
  const poll = await pollShells(url, nodeKey);
  const handout = (poll.body.sessions as Array<{ session_id: string; secret: string }>).find((s) => s.session_id === requested.body.session_id);
  assert.ok(handout, 'the host collects the session secret');
  const launcher = await joinAsLauncher(url, handout.session_id, handout.secret);
  return { sessionId: handout.session_id, close: () => launcher.socket.close() };
}
