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
  canReadSpecs: [roles.canReadSpecs, ALL],
  canApplySpecs: [roles.canApplySpecs, WRITERS],
  canReadEnrollSecrets: [roles.canReadEnrollSecrets, WRITERS],
  canReplaceEnrollSecrets: [roles.canReplaceEnrollSecrets, WRITERS],
  canSeeHosts: [roles.canSeeHosts, ALL],
  canSeeActivities: [roles.canSeeActivities, ALL],
  canCheckServiceStatus: [roles.canCheckServiceStatus, ALL],
  canRunAdHocQueries: [roles.canRunAdHocQueries, WRITERS],
  canStopAnyCampaign: [roles.canStopAnyCampaign, WRITERS],
  canUseOwnAccount: [roles.canUseOwnAccount, ALL],
  canManageUsers: [roles.canManageUsers, ADMINS],
  canOpenRemoteShells: [roles.canOpenRemoteShells, ADMINS],
  canSeeShellSessions: [roles.canSeeShellSessions, ADMINS],
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
