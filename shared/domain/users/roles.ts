/**
 * Who may do what: one named rule per permission, and the one place that reads a user's role.
 * Every route and socket that refuses a signed-in user asks one of these rules (grep a rule's
 * name to find where it applies); nothing else compares `global_role`.
 *
 * The matrix today (admin / maintainer / observer):
 * - reading specs, saved queries, hosts, policies, activities, status, one's own account: all;
 * - applying specs, enroll secrets, ad-hoc queries, any campaign: admin and maintainer;
 * - saved queries: admin and maintainer; observers those whose spec sets `observer_can_run`;
 * - campaigns: admin and maintainer any; observers the ones they started;
 * - users and remote shells: admin only.
 *
 * Rules are pure functions of the role (and of the resource, where ownership or a flag on it
 * matters), so they can be tested exhaustively (test/unit/roles.test.ts).
 */
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

/** Every role reads specs, their history and the saved queries: GET /spec/:kind[/:name[/history]], GET /queries. */
export function canReadSpecs(_role: GlobalRole): boolean {
  return true;
}

/** Admins and maintainers apply specs (POST /spec/:kind); observers only read them. */
export function canApplySpecs(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers read the enroll secrets (GET /spec/enroll_secret); observers do not. */
export function canReadEnrollSecrets(role: GlobalRole): boolean {
  return writesFleet(role);
}

/** Admins and maintainers replace the enroll secrets (POST /spec/enroll_secret). */
export function canReplaceEnrollSecrets(role: GlobalRole): boolean {
  return writesFleet(role);
}

// ---- Hosts, activities, status ----

/** Every role sees the hosts, a label's hosts and the policies with their host counts. */
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

/** Only admins list and create users (GET /users, POST /users/admin). */
export function canManageUsers(role: GlobalRole): boolean {
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
