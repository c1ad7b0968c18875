/**
 * The access matrix: every rule of shared/domain/users/roles.ts for every role, so that a change
 * of who may do what shows here as a changed row. A rule added to roles.ts without a row fails.
 */
import assert from 'node:assert/strict';
import * as roles from '../../shared/domain/users/roles';
import { GLOBAL_ROLES, type GlobalRole } from '../../shared/domain/users/roles';

type Allowed = Record<GlobalRole, boolean>;

const ALL: Allowed = { admin: true, maintainer: true, observer: true };
const WRITERS: Allowed = { admin: true, maintainer: true, observer: false };
const ADMINS: Allowed = { admin: true, maintainer: false, observer: false };

/** The rules that read only the role, and whom they allow. */
const ROLE_RULES: Record<string, [(role: GlobalRole) => boolean, Allowed]> = {
  canReadQueries: [roles.canReadQueries, ALL],
  canApplyQueries: [roles.canApplyQueries, WRITERS],
  // Fleet's DeleteQuery, DeletePack and DeleteLabel authorize a write of the kind.
  canDeleteQueries: [roles.canDeleteQueries, WRITERS],
  canDeletePacks: [roles.canDeletePacks, WRITERS],
  canDeleteLabels: [roles.canDeleteLabels, WRITERS],
  canDeletePolicies: [roles.canDeletePolicies, WRITERS],
  canDeleteTeams: [roles.canDeleteTeams, ADMINS],
  // Fleet: "Create, edit, view, and delete packs" is for maintainers and admins; observers do not read packs.
  canReadPacks: [roles.canReadPacks, WRITERS],
  canApplyPacks: [roles.canApplyPacks, WRITERS],
  canReadLabels: [roles.canReadLabels, ALL],
  canApplyLabels: [roles.canApplyLabels, WRITERS],
  canReadPolicies: [roles.canReadPolicies, ALL],
  canApplyPolicies: [roles.canApplyPolicies, WRITERS],
  canReadTeams: [roles.canReadTeams, ALL],
  // Fleet: "Create, edit, and delete teams" is for admins only.
  canApplyTeams: [roles.canApplyTeams, ADMINS],
  // Fleet: "Read osquery agent options" is for admins only.
  canReadAgentOptions: [roles.canReadAgentOptions, ADMINS],
  canReadEnrollSecrets: [roles.canReadEnrollSecrets, WRITERS],
  canReplaceEnrollSecrets: [roles.canReplaceEnrollSecrets, WRITERS],
  canSeeHosts: [roles.canSeeHosts, ALL],
  canSeeActivities: [roles.canSeeActivities, ALL],
  canCheckServiceStatus: [roles.canCheckServiceStatus, ALL],
  canRunAdHocQueries: [roles.canRunAdHocQueries, WRITERS],
  canStopAnyCampaign: [roles.canStopAnyCampaign, WRITERS],
  canListCampaigns: [roles.canListCampaigns, ALL],
  canUseOwnAccount: [roles.canUseOwnAccount, ALL],
  canReadServerVersion: [roles.canReadServerVersion, ALL],
  canReadAppConfig: [roles.canReadAppConfig, ALL],
  // Fleet's getAppConfigEndpoint: "only admin can see smtp, sso, and host expiry settings" (and agent options).
  canReadRestrictedAppConfig: [roles.canReadRestrictedAppConfig, ADMINS],
  // Fleet: "Edit organization settings" is for admins only.
  canModifyAppConfig: [roles.canModifyAppConfig, ADMINS],
  canManageUsers: [roles.canManageUsers, ADMINS],
  canChangeUserRoles: [roles.canChangeUserRoles, ADMINS],
  canDeleteUsers: [roles.canDeleteUsers, ADMINS],
  canOpenRemoteShells: [roles.canOpenRemoteShells, ADMINS],
  canSeeShellSessions: [roles.canSeeShellSessions, ADMINS],
  canReadServerCertificate: [roles.canReadServerCertificate, ALL],
  canReadOsqueryFlagfile: [roles.canReadOsqueryFlagfile, WRITERS],
};

/** The rules that also read the resource, tested below case by case. */
const RESOURCE_RULES = ['canRunSavedQuery', 'canSeeCampaign'];

describe('access rules (roles.ts)', () => {
  it('has a row here for every rule it exports', () => {
    const exported = Object.entries(roles)
      .filter(([name, value]) => typeof value === 'function' && name.startsWith('can'))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(exported, [...Object.keys(ROLE_RULES), ...RESOURCE_RULES].sort());
  });

  for (const [name, [rule, allowed]] of Object.entries(ROLE_RULES)) {
    it(`${name}: ${GLOBAL_ROLES.filter((role) => allowed[role]).join(', ')}`, () => {
      for (const role of GLOBAL_ROLES) assert.equal(rule(role), allowed[role], `${name}(${role})`);
    });
  }

  it('SPEC_RULES: each kind reads and applies by its named rules', () => {
    const expected: Record<string, [unknown, unknown]> = {
      query: [roles.canReadQueries, roles.canApplyQueries],
      pack: [roles.canReadPacks, roles.canApplyPacks],
      label: [roles.canReadLabels, roles.canApplyLabels],
      policy: [roles.canReadPolicies, roles.canApplyPolicies],
      team: [roles.canReadTeams, roles.canApplyTeams],
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(roles.SPEC_RULES).map(([kind, rules]) => [kind, [rules.read, rules.apply]])),
      expected,
    );
  });

  it('SPEC_DELETE_RULES: each deletable kind deletes by its named rule', () => {
    assert.deepEqual(roles.SPEC_DELETE_RULES, {
      query: roles.canDeleteQueries,
      pack: roles.canDeletePacks,
      label: roles.canDeleteLabels,
      policy: roles.canDeletePolicies,
      team: roles.canDeleteTeams,
    });
  });

  it('canRunSavedQuery: admins and maintainers any saved query; observers only those with observer_can_run: true', () => {
    const cases: Array<[roles.RunnableQuery, Allowed]> = [
      [{ observer_can_run: true }, ALL],
      [{ observer_can_run: false }, WRITERS],
      [{}, WRITERS],
    ];
    for (const [query, allowed] of cases) {
      for (const role of GLOBAL_ROLES) assert.equal(roles.canRunSavedQuery(role, query), allowed[role], `${role}, ${JSON.stringify(query)}`);
    }
  });

  it('canSeeCampaign: admins and maintainers any campaign; observers only their own', () => {
    const others = { user_id: 1 };
    const own = { user_id: 7 };
    for (const role of GLOBAL_ROLES) {
      const user = { id: 7, global_role: role };
      assert.equal(roles.canSeeCampaign(user, own), true, `${role}, own campaign`);
      assert.equal(roles.canSeeCampaign(user, others), WRITERS[role], `${role}, another's campaign`);
    }
  });
});
