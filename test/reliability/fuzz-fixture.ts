/**
 * A started Logbook with something of everything for the fuzzer to aim at: users of each role,
 * spare sessions, an enroll secret, one spec of each kind, an enrolled host that answered its
 * detail queries, a campaign, and a requested shell session.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { ADMIN, createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { pollShells } from '../support/shell-client';
import type { FuzzContext } from './fuzz-case';
import { FUZZ_SERVER_ENV } from './fuzz-limits';

export const FUZZ_ENROLL_SECRET = 'fuzz-enroll-secret';

async function ok(res: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const answer = await res;
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<{ logbook: LogbookProcess; admin: FleetClient; ctx: FuzzContext }> {
  const logbook = await startLogbook({ env: { ...FUZZ_SERVER_ENV, ...env } });
  const admin = await setUpAdmin(logbook.url);
  const maintainer = await createUser(admin, 'maintainer');
  const observer = await createUser(admin, 'observer');
  const fuzzUserEmail = 'fuzz-target@example.com';
  const fuzzUser = (await ok(admin.post('/api/v1/fleet/users/admin', { name: 'Fuzz Target', email: fuzzUserEmail, password: 'fuzz-target-pass-9$', global_role: 'observer' }), 'fuzz user')).user as { id: number };
  const anonymous = new FleetClient(logbook.url);
  const disposableTokens: string[] = [];
  for (let i = 0; i < 8; i++) disposableTokens.push((await ok(anonymous.post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password }), 'login')).token);
  await ok(admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: FUZZ_ENROLL_SECRET }] } }), 'enroll secret');
  const specNames = { queries: 'fuzz-query', packs: 'fuzz-pack', labels: 'fuzz-label', policies: 'fuzz-policy', teams: 'fuzz-team' };
  await ok(admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: specNames.queries, query: 'SELECT 1' }] }), 'query');
  await ok(admin.post('/api/v1/fleet/spec/packs', { specs: [{ name: specNames.packs, targets: { labels: ['All Hosts'] }, queries: [{ query: specNames.queries, interval: 60 }] }] }), 'pack');
  await ok(admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: specNames.labels, query: 'select 1;' }] }), 'label');
  await ok(admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: specNames.policies, query: 'SELECT 1' }] }), 'policy');
  await ok(admin.post('/api/v1/fleet/spec/teams', { specs: [{ name: specNames.teams }] }), 'team');

  const host = new FakeOsqueryHost(logbook.url, 'fuzz-host', 'ubuntu');
  assert.equal((await host.enroll(FUZZ_ENROLL_SECRET)).status, 200);
  await host.answerLikeARealHost();
  assert.equal((await pollShells(logbook.url, host.nodeKey)).status, 200, 'the host opts in to remote shells');
  const found = await eventually(async () => {
    const hosts = (await ok(admin.get('/api/v1/fleet/hosts'), 'hosts')).hosts as Array<{ id: number; hostname: string }>;
    const mine = hosts.find((candidate) => candidate.hostname === 'fuzz-host');
    assert.ok(mine, 'host listed');
    return mine;
  });
  const detail = (await ok(admin.get(`/api/v1/fleet/hosts/${found.id}`), 'host')).host as { labels?: Array<{ id: number }> };
  const teams = (await ok(admin.get('/api/v1/fleet/teams'), 'teams')).teams as Array<{ id: number; name: string }>;
  const campaign = await ok(admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1', selected: { hosts: [found.id], labels: [], teams: [] } }), 'campaign');
  const shell = await eventually(async () => ok(admin.post(`/api/v1/fleet/hosts/${found.id}/shells`), 'shell request'));
  const ctx: FuzzContext = {
    tokens: { admin: admin.token!, maintainer: maintainer.token!, observer: observer.token! },
    disposableTokens,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    enrollSecret: FUZZ_ENROLL_SECRET,
    nodeKey: host.nodeKey!,
    hostId: found.id,
    hostname: 'fuzz-host',
    labelId: detail.labels?.[0]?.id ?? 1,
    teamId: teams.find((team) => team.name === specNames.teams)!.id,
    campaignId: campaign.campaign.id,
    specNames,
    shellSessionId: shell.session_id,
    fuzzUser: { id: fuzzUser.id, email: fuzzUserEmail },
  };
  return { logbook, admin, ctx };
}

/** Open file descriptors of a process on this machine (Linux: the entries of /proc/<pid>/fd). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Whether the process is still running (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
