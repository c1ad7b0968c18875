/**
 * What the seed-era fleetctl makes of the answers to `get teams` and `get user_roles`, as Go's
 * json decoder fills its types (server/fleet/teams.go Team, users.go User) and cmd/fleetctl/get.go
 * prints them: a field of the wrong JSON type is a decode error (thrown here), an absent one is
 * Go's zero value.
 */
import assert from 'node:assert/strict';

type Json = Record<string, unknown>;

function field<T>(object: Json, name: string, type: 'number' | 'string' | 'boolean', zero: T): T {
  const value = object[name];
  if (value === undefined || value === null) return zero;
  assert.equal(typeof value, type, `json: cannot unmarshal ${JSON.stringify(value)} into the ${type} field ${name}`);
  return value as T;
}

/** A time.Time field: absent is the zero time; otherwise RFC 3339 or a decode error. */
function time(object: Json, name: string): string {
  const value = field(object, name, 'string', '0001-01-01T00:00:00Z');
  assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, `parsing time ${JSON.stringify(value)} (field ${name})`);
  return value;
}

export interface DecodedTeam {
  id: number;
  created_at: string;
  name: string;
  description: string;
  /** *json.RawMessage: null when absent. */
  agent_options: unknown;
  user_count: number;
  host_count: number;
  secrets: Array<{ secret: string; created_at: string; team_id: number | null }>;
}

/** listTeamsResponse{Teams []fleet.Team `json:"teams"`}. */
export function decodeTeams(body: Json): DecodedTeam[] {
  assert.ok(Array.isArray(body.teams), `teams is ${JSON.stringify(body.teams)}, not an array`);
  return (body.teams as Json[]).map((team) => {
    const secrets = team.secrets ?? [];
    assert.ok(Array.isArray(secrets), 'secrets is not an array');
    const agentOptions = team.agent_options ?? null;
    assert.ok(agentOptions === null || typeof agentOptions === 'object', 'agent_options is not a JSON object');
    return {
      id: field(team, 'id', 'number', 0),
      created_at: time(team, 'created_at'),
      name: field(team, 'name', 'string', ''),
      description: field(team, 'description', 'string', ''),
      agent_options: agentOptions,
      user_count: field(team, 'user_count', 'number', 0),
      host_count: field(team, 'host_count', 'number', 0),
      secrets: (secrets as Json[]).map((secret) => ({ secret: field(secret, 'secret', 'string', ''), created_at: time(secret, 'created_at'), team_id: field<number | null>(secret, 'team_id', 'number', null) })),
    };
  });
}

/** getTeamsCommand's table: Team Name, Description, User count. */
export const teamsTable = (teams: DecodedTeam[]) => teams.map((team) => [team.name, team.description, String(team.user_count)]);

export interface DecodedUser {
  name: string;
  email: string;
  global_role: string | null;
  teams: Array<{ name: string; role: string }>;
}

/** listUsersResponse{Users []fleet.User `json:"users"`}: the fields get user_roles reads. */
export function decodeUsers(body: Json): DecodedUser[] {
  assert.ok(Array.isArray(body.users), `users is ${JSON.stringify(body.users)}, not an array`);
  return (body.users as Json[]).map((user) => {
    for (const flag of ['sso_enabled', 'api_only', 'force_password_reset']) field(user, flag, 'boolean', false);
    field(user, 'id', 'number', 0);
    time(user, 'created_at');
    const teams = user.teams ?? [];
    assert.ok(Array.isArray(teams), 'teams is not an array');
    return {
      name: field(user, 'name', 'string', ''),
      email: field(user, 'email', 'string', ''),
      global_role: field<string | null>(user, 'global_role', 'string', null),
      teams: (teams as Json[]).map((team) => ({ name: field(team, 'name', 'string', ''), role: field(team, 'role', 'string', '') })),
    };
  });
}

/** getUserRolesCommand's table: User (the name), Global Role ("" for none). */
export const userRolesTable = (users: DecodedUser[]) => users.map((user) => [user.name, user.global_role ?? '']);

/** usersToUserRoles: the `kind: user_roles` spec, roles keyed by email (teams: nil → null). */
export function userRolesSpec(users: DecodedUser[]) {
  return { roles: Object.fromEntries(users.map((user) => [user.email, { global_role: user.global_role, teams: user.teams.length === 0 ? null : user.teams.map((team) => ({ team: team.name, role: team.role })) }])) };
}
