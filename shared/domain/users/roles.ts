/**
 * Who may do what: one named rule per permission, and the one place that reads a user's role.
 * Every route and socket that refuses a signed-in user asks one of these rules (grep a rule's
 * name to find where it applies); nothing else compares `global_role`.
 *
 * The matrix follows Fleet's documented global-role permissions (fleetdm/fleet
 * docs/Using-Fleet/Permissions.md, v4.x; README "Roles" lists it action by action):
 * - queries, labels, policies (specs and lists): every role reads; admins and maintainers write
 *   (apply and, for queries and labels, delete: Fleet authorizes a delete as a write);
 * - packs: admins and maintainers read, write and delete ("Create, edit, view, and delete packs");
 * - teams: every role reads a team; only admins apply teams ("Create, edit, and delete teams");
 * - enroll secrets, global and a team's: admins and maintainers read and write; in a team read
 *   by anyone else the `secrets` are left out (GET, history alike);
 * - agent options: admins only read them ("Read osquery agent options": admin) and write them
 *   (a team's through applying the team); left out of a team read by anyone else;
 * - live queries: saved queries with `observer_can_run` every role; any other, admins and maintainers;
 * - campaigns: admins and maintainers any; observers the ones they started;
 * - the app config: every role reads it, without its SMTP, SSO, host expiry settings and agent
 *   options unless admin; only admins modify it ("Edit organization settings");
 * - users and remote shells (Logbook's launcher shells, not in Fleet's table): admins only.
 *
 * Rules are pure functions of the role (and of the resource, where ownership or a flag on it
 * matters), so they can be tested exhaustively (test/unit/roles.test.ts).
 */
import type { DeletableSpecKind, SpecKind } from '../specs/spec-types';

export const GLOBAL_ROLES = ['admin', 'maintainer', 'observer'] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

/** What rules about a user's own resources read of the user. */
export interface Principal {
  id: number;
  global_role: GlobalRole;
}

/** What rules about a campaign read of it: who started it. */
export interface OwnedCampaign {
  user_id: number;
}

/** What the saved-query rule reads of a query spec. */
export interface RunnableQuery {
  observer_can_run?: boolean;
}

/** Admins and maintainers write the fleet's configuration and run anything; observers watch. */
function writesFleet(role: GlobalRole): boolean {
  return role === 'admin' || role === 'maintainer';
}

function isAdmin(role: GlobalRole): boolean {
  return role === 'admin';
}

// ---- Specs (/api/v1/fleet/spec/*, /queries) ----

/** Every role reads the queries: GET /spec/queries[/:name[/history]], GET /queries. */
export function canReadQueries(_role: GlobalRole): boolean {
  return true;
}

/** Admins and maintainers apply queries (POST /spec/queries). */
export function canApplyQueries(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Only admins and maintainers see packs (GET /spec/packs[/:name[/history]]): Fleet keeps them from observers. */
export function canReadPacks(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers apply packs (POST /spec/packs). */
export function canApplyPacks(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Every role reads the labels (GET /spec/labels[/:name[/history]]). */
export function canReadLabels(_role: GlobalRole): boolean {
  return true;
}

/** Admins and maintainers apply labels (POST /spec/labels). */
export function canApplyLabels(role: GlobalRole): boolean {
  return writesFleet(role);
}

/**
 * Every role reads the policies (GET /spec/policies[/:name[/history]], GET /policies, GET
 * /global/policies) and a team's (GET /teams/:team_id/policies[/:policy_id]): Fleet authorizes a
 * policy read of the team, which rbac.rego gives every global role, so it is the same rule.
 */
export function canReadPolicies(_role: GlobalRole): boolean {
  return true;
}

/** Admins and maintainers apply policies (POST /spec/policies). */
export function canApplyPolicies(role: GlobalRole): boolean {
  return writesFleet(role);
}

/**
 * Every role reads the teams (GET /spec/teams[/:name[/history]], GET /teams, GET /teams/:id;
 * Permissions.md: observers "can access ... teams"), but only what its role may read of them:
 * `secrets` with canReadEnrollSecrets, `agent_options` with canReadAgentOptions.
 */
export function canReadTeams(_role: GlobalRole): boolean {
  return true;
}

/** Only admins apply teams (POST /spec/teams), their secrets and agent options included. */
export function canApplyTeams(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** Only admins read agent options (a team's `agent_options`, in its spec and its history). */
export function canReadAgentOptions(role: GlobalRole): boolean {
  return isAdmin(role);
}

/**
 * Admins and maintainers read the enroll secrets: the global ones (GET /spec/enroll_secret) and a
 * team's (`secrets` in GET /spec/teams and its history). Observers see neither.
 */
export function canReadEnrollSecrets(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers replace the global enroll secrets (POST /spec/enroll_secret). */
export function canReplaceEnrollSecrets(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers delete queries (DELETE /queries/:name): Fleet's DeleteQuery authorizes a query write. */
export function canDeleteQueries(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers delete packs (DELETE /packs/:name). */
export function canDeletePacks(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers delete labels (DELETE /labels/:name): Fleet's DeleteLabel authorizes a label write. */
export function canDeleteLabels(role: GlobalRole): boolean {
  return writesFleet(role);
}

/**
 * Admins and maintainers delete global policies (POST /global/policies/delete) and a team's (POST
 * /teams/:team_id/policies/delete): Fleet's DeleteGlobalPolicies and DeleteTeamPolicies authorize
 * a policy write (of the team), which rbac.rego gives global admins and maintainers.
 */
export function canDeletePolicies(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Only admins delete teams (DELETE /teams/:id): Fleet's DeleteTeam authorizes a team write (global admins). */
export function canDeleteTeams(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** The delete rule of each kind that can be deleted. */
export const SPEC_DELETE_RULES: Record<DeletableSpecKind, (role: GlobalRole) => boolean> = {
  query: canDeleteQueries,
  pack: canDeletePacks,
  label: canDeleteLabels,
  policy: canDeletePolicies,
  team: canDeleteTeams,
};

// ---- The application config (/api/v1/fleet/config) ----

/**
 * Every role reads the app config (GET /config): the organization, server, host and webhook
 * settings. What only admins read of it is left zeroed or out (canReadRestrictedAppConfig).
 */
export function canReadAppConfig(_role: GlobalRole): boolean {
  return true;
}

/**
 * Only admins read the app config's SMTP, SSO and host expiry settings and the global agent
 * options (Fleet's getAppConfigEndpoint: "only admin can see smtp, sso, and host expiry
 * settings"; agent options as canReadAgentOptions). Anyone else gets those sections zeroed, as
 * Fleet answers them, and no `agent_options`. The SMTP password is masked even for admins.
 */
export function canReadRestrictedAppConfig(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** Only admins modify the app config (PATCH /config; Permissions.md: "Edit organization settings": admin). */
export function canModifyAppConfig(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** The read and apply rules of each spec kind, for the routes that take the kind from the path. */
export const SPEC_RULES: Record<SpecKind, { read: (role: GlobalRole) => boolean; apply: (role: GlobalRole) => boolean }> = {
  query: { read: canReadQueries, apply: canApplyQueries },
  pack: { read: canReadPacks, apply: canApplyPacks },
  label: { read: canReadLabels, apply: canApplyLabels },
  policy: { read: canReadPolicies, apply: canApplyPolicies },
  team: { read: canReadTeams, apply: canApplyTeams },
};

// ---- Hosts, activities, status ----

/**
 * Every role sees the hosts, a host, a label's hosts, their count (GET /hosts/count), the host
 * summary (GET /host_summary) and the target search (POST /targets).
 */
export function canSeeHosts(_role: GlobalRole): boolean {
  return true;
}

/** Every role reads the activity feed (GET /activities). */
export function canSeeActivities(_role: GlobalRole): boolean {
  return true;
}

/** Every role asks whether the live query bus and the result store work (GET /status/*). */
export function canCheckServiceStatus(_role: GlobalRole): boolean {
  return true;
}

/** Every signed-in user reads which server this is (GET /version; fleetctl asks before commands). */
export function canReadServerVersion(_role: GlobalRole): boolean {
  return true;
}

// ---- Live queries and campaigns ----

/** Admins and maintainers run SQL of their own (POST /queries/run[_by_names] with `query`). */
export function canRunAdHocQueries(role: GlobalRole): boolean {
  return writesFleet(role);
}

/**
 * A saved query (POST /queries/run[_by_names] with `query_id`): admins and maintainers any;
 * observers only the ones whose spec says `observer_can_run: true`.
 */
export function canRunSavedQuery(role: GlobalRole, query: RunnableQuery): boolean {
  return canRunAdHocQueries(role) || query.observer_can_run === true;
}

/**
 * A campaign's state and results (GET /campaigns/:id[/results]) and watching it live (the
 * results gateway's `select_campaign`): admins and maintainers any; observers their own.
 */
export function canSeeCampaign(user: Principal, campaign: OwnedCampaign): boolean {
  return writesFleet(user.global_role) || campaign.user_id === user.id;
}

/**
 * Every role lists the campaigns (GET /campaigns), each seeing only the ones canSeeCampaign lets
 * it see: admins and maintainers all, observers their own.
 */
export function canListCampaigns(_role: GlobalRole): boolean {
  return true;
}

/**
 * Admins and maintainers stop any campaign (POST /campaigns/:id/stop). This is the flag the
 * campaign decider takes (`mayStopAny`): the decider also lets whoever started a campaign stop it.
 */
export function canStopAnyCampaign(role: GlobalRole): boolean {
  return writesFleet(role);
}

// ---- Users ----

/** Every role reads its own account and ends its own session (GET /me, POST /logout). */
export function canUseOwnAccount(_role: GlobalRole): boolean {
  return true;
}

/**
 * Only admins list and create users (GET /users, POST /users/admin) and read and rename another
 * user (GET /users/{id}, PATCH /users/{id} with `name`). Anyone reads and renames themselves
 * (canUseOwnAccount).
 */
export function canManageUsers(role: GlobalRole): boolean {
  return isAdmin(role);
}

/**
 * Only admins change a user's global role, their own included (PATCH /users/{id} with
 * `global_role`, POST /users/roles/spec): nobody else changes their own. No role change or
 * deletion may remove the last admin (shared/domain/users/admin-guard.ts).
 */
export function canChangeUserRoles(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** Only admins delete users (DELETE /users/{id}), themselves included, unless they are the last admin. */
export function canDeleteUsers(role: GlobalRole): boolean {
  return isAdmin(role);
}

// ---- Remote shells ----

/** Only admins open remote shells on hosts (POST /hosts/:id/shells) and join them (the operator socket). */
export function canOpenRemoteShells(role: GlobalRole): boolean {
  return isAdmin(role);
}

/** Only admins see the shell sessions and the shell-enabled hosts (GET /shells, GET /shells/hosts). */
export function canSeeShellSessions(role: GlobalRole): boolean {
  return isAdmin(role);
}

// ---- Connecting hosts (TLS) ----

/** Every role reads the certificate chain hosts and clients trust the server by (GET /config/certificate, as Fleet). */
export function canReadServerCertificate(_role: GlobalRole): boolean {
  return true;
}

/** Admins and maintainers, who enroll hosts, read the osqueryd flagfile for this server (GET /osquery/flagfile). */
export function canReadOsqueryFlagfile(role: GlobalRole): boolean {
  return writesFleet(role);
}
