/**
 * The role matrix, black box: every operator route and socket (PROBES in role-matrix-table.ts)
 * as admin, maintainer and observer, and with no token, a garbage token, a logged-out (revoked)
 * token and an expired token. Each outcome must be the table's: allowed, 403 (denied) or 401.
 * The target is 0 unauthorized successes; any mismatch fails with the full listing. Two more
 * checks keep the table honest: README's "Roles" table says what ACTIONS says, and every route
 * the code declares (and every socket) has a probe, and no probe names a route that is not there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GLOBAL_ROLES, type GlobalRole } from '../../shared/domain/users/roles';
import { buildWorld, PRINCIPALS, type MatrixWorld, type Principal } from './role-matrix-fixtures';
import { runProbe, type Outcome } from './role-matrix-probes';
import { appRouteCount, declaredFleetRoutes, publicRouteCount } from './role-matrix-routes';
import { ACTIONS, PROBES, SOCKET_ROUTES, type Action, type Probe } from './role-matrix-table';

const README = resolve(__dirname, '../../../README.md');

function expected(probe: Probe, principal: Principal): Outcome {
  if (!(GLOBAL_ROLES as readonly string[]).includes(principal)) return 'unauthenticated';
  return ACTIONS[probe.action][principal as GlobalRole] ? 'allowed' : 'denied';
}

/** README's Roles table: each row's action and whether admin, maintainer, observer may. */
export function readmeRoles(text: string): Array<[string, Record<GlobalRole, boolean>]> {
  const section = text.split('\n### Roles\n')[1];
  if (!section) throw new Error('README has no "### Roles" section');
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(start, lines.findIndex((line, index) => index > start && !line.startsWith('|')));
  const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());
  const header = cells(table[0]!).slice(1, 4).map((cell) => cell.toLowerCase());
  assert.deepEqual(header, ['admin', 'maintainer', 'observer'], 'README Roles columns');
  return table.slice(2).map((line) => {
    const [action, ...marks] = cells(line);
    const may = (mark: string | undefined) => {
      if (mark === '✅') return true;
      if (mark === '—') return false;
      throw new Error(`README Roles row "${action}": a cell is "${mark}", not ✅ or —`);
    };
    return [action!, { admin: may(marks[0]), maintainer: may(marks[1]), observer: may(marks[2]) }];
  });
}

describe('role matrix (every route and socket, every principal)', function () {
  this.timeout(240_000);
  let world: MatrixWorld;

  before(async () => {
    world = await buildWorld();
  });
  after(() => world?.logbook.stop());

  it('answers every probe as the table says: 0 unauthorized successes', async () => {
    const mismatches: string[] = [];
    const unauthorizedSuccesses: string[] = [];
    for (const probe of PROBES) {
      for (const principal of PRINCIPALS) {
        const want = expected(probe, principal);
        const seen = await runProbe(probe, world, principal);
        if (seen.outcome === want) continue;
        const line = `[${probe.action}] ${probe.route} as ${principal}: expected ${want}, got ${seen.outcome} — ${seen.detail}`;
        mismatches.push(line);
        if (seen.outcome === 'allowed') unauthorizedSuccesses.push(line);
      }
    }
    assert.equal(
      mismatches.length,
      0,
      `${unauthorizedSuccesses.length} unauthorized successes, ${mismatches.length} mismatches in all:\n${mismatches.join('\n')}`,
    );
  });

  it("agrees with README's Roles table, row for row", () => {
    const readme = readmeRoles(readFileSync(README, 'utf8'));
    assert.deepEqual(readme, Object.entries(ACTIONS), 'README "### Roles" and ACTIONS in test/reliability/role-matrix-table.ts must say the same');
  });

  it('probes every action, every declared route and every socket, and only those', () => {
    const probed = new Set(PROBES.map((probe) => probe.route));
    const declared = [...declaredFleetRoutes(), ...SOCKET_ROUTES];
    assert.deepEqual(declared.filter((route) => !probed.has(route)), [], 'routes without a probe');
    assert.deepEqual([...probed].filter((route) => !declared.includes(route)), [], 'probes of routes that do not exist');
    const actions = new Set<Action>(PROBES.map((probe) => probe.action));
    assert.deepEqual(Object.keys(ACTIONS).filter((action) => !actions.has(action as Action)), [], 'actions without a probe');
    assert.equal(appRouteCount(), declaredFleetRoutes().length + publicRouteCount(), 'createApiApp serves a route role-matrix-routes.ts does not know');
  });
});
