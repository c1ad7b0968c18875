import assert from 'node:assert/strict';
import { BUILTIN_LABELS } from '../../shared/domain/specs/builtin-labels';
import { specDecider } from '../../shared/domain/specs/spec-decider';
import { specAppliedEvent, type SpecApplied } from '../../shared/domain/specs/spec-events';
import type { LabelSpec, PackQuery, PackSpec, PolicySpec, QuerySpec, SpecKind } from '../../shared/domain/specs/spec-types';
import { givenWhenThenOfData } from '../support/given-when-then';

const { given } = givenWhenThenOfData(specDecider, (data: SpecApplied) => specAppliedEvent(data));

const uptime: QuerySpec = { name: 'uptime', description: 'How long hosts have been up', query: 'select * from uptime;' };

function applied(event: Omit<SpecApplied, 'changes' | 'builtin'> & Partial<SpecApplied>): SpecApplied {
  return { changes: [], builtin: false, ...event };
}

function label(overrides: Partial<LabelSpec> = {}): LabelSpec {
  return { name: 'web servers', description: '', query: "select 1 from processes where name = 'nginx';", platform: '', label_membership_type: 'dynamic', ...overrides };
}

function packQuery(name: string, interval = 60): PackQuery {
  return { query: name, name, description: '', interval, snapshot: false, removed: false, platform: '', version: '', shard: null, denylist: null };
}

describe('decideApplySpec', () => {
  describe('a spec applied for the first time', () => {
    it('gets the id offered for a new spec, version 1, and every field as a change', () => {
      given([])
        .when({ kind: 'query', spec: uptime, idIfNew: 7 })
        .then([
          {
            kind: 'query',
            id: 7,
            version: 1,
            spec: uptime,
            changes: [
              { field: 'name', to: 'uptime' },
              { field: 'description', to: 'How long hosts have been up' },
              { field: 'query', to: 'select * from uptime;' },
            ],
            builtin: false,
          },
        ]);
    });
  });

  describe('a spec applied again', () => {
    const firstVersion = applied({ kind: 'query', id: 7, version: 1, spec: uptime });

    it('keeps its id, gets the next version and lists only the fields that changed', () => {
      const edited = { ...uptime, description: 'Seconds since boot' };
      given([firstVersion])
        .when({ kind: 'query', spec: edited, idIfNew: 99 })
        .then([
          {
            kind: 'query',
            id: 7,
            version: 2,
            spec: edited,
            changes: [{ field: 'description', from: 'How long hosts have been up', to: 'Seconds since boot' }],
            builtin: false,
          },
        ]);
    });

    it('unchanged is still a new version, with no changes', () => {
      given([firstVersion])
        .when({ kind: 'query', spec: { ...uptime }, idIfNew: 99 })
        .then([{ kind: 'query', id: 7, version: 2, spec: uptime, changes: [], builtin: false }]);
    });

    it('after several versions counts on from the last one', () => {
      const secondVersion = applied({ kind: 'query', id: 7, version: 2, spec: { ...uptime, query: 'select days from uptime;' } });
      given([firstVersion, secondVersion])
        .when({ kind: 'query', spec: uptime, idIfNew: 99 })
        .then([
          {
            kind: 'query',
            id: 7,
            version: 3,
            spec: uptime,
            changes: [{ field: 'query', from: 'select days from uptime;', to: 'select * from uptime;' }],
            builtin: false,
          },
        ]);
    });
  });

  describe('labels', () => {
    it('refuses a dynamic label that lists hosts', () => {
      const error = given([])
        .when({ kind: 'label', spec: label({ hosts: ['web-1'] }), idIfNew: 1 })
        .thenFails('validation', /dynamic/);
      assert.deepEqual(error.problems.map((problem) => problem.name), ['hosts']);
    });

    it('refuses a manual label without hosts', () => {
      const error = given([])
        .when({ kind: 'label', spec: label({ label_membership_type: 'manual', query: '' }), idIfNew: 1 })
        .thenFails('validation', /manual/);
      assert.deepEqual(error.problems.map((problem) => problem.name), ['hosts']);
    });

    it('refuses a dynamic label with a blank query', () => {
      const error = given([])
        .when({ kind: 'label', spec: label({ query: '  \n ' }), idIfNew: 1 })
        .thenFails('validation', /query/);
      assert.deepEqual(error.problems.map((problem) => problem.name), ['query']);
    });

    it('accepts a manual label with its hosts', () => {
      const manual = label({ label_membership_type: 'manual', query: '', hosts: ['web-1', 'web-2'] });
      given([])
        .when({ kind: 'label', spec: manual, idIfNew: 3 })
        .then([
          {
            kind: 'label',
            id: 3,
            version: 1,
            spec: manual,
            changes: [
              { field: 'name', to: 'web servers' },
              { field: 'description', to: '' },
              { field: 'query', to: '' },
              { field: 'platform', to: '' },
              { field: 'label_membership_type', to: 'manual' },
              { field: 'hosts', to: ['web-1', 'web-2'] },
            ],
            builtin: false,
          },
        ]);
    });

    it('lets a label that is not built in change', () => {
      const before = label();
      const after = label({ platform: 'ubuntu' });
      given([applied({ kind: 'label', id: 3, version: 1, spec: before })])
        .when({ kind: 'label', spec: after, idIfNew: 9 })
        .then([{ kind: 'label', id: 3, version: 2, spec: after, changes: [{ field: 'platform', from: '', to: 'ubuntu' }], builtin: false }]);
    });
  });

  describe('built-in labels', () => {
    const allHosts = BUILTIN_LABELS.find((builtin) => builtin.name === 'All Hosts')!;
    const seeded = applied({ kind: 'label', id: 1, version: 1, spec: allHosts, builtin: true });

    it('are seeded as built in, each valid', () => {
      for (const [index, builtin] of BUILTIN_LABELS.entries()) {
        given([])
          .when({ kind: 'label', spec: builtin, idIfNew: index + 1, builtin: true })
          .then([
            {
              kind: 'label',
              id: index + 1,
              version: 1,
              spec: builtin,
              changes: Object.entries(builtin).map(([field, to]) => ({ field, to })),
              builtin: true,
            },
          ]);
      }
    });

    it('re-applied unchanged are accepted and record nothing', () => {
      given([seeded]).when({ kind: 'label', spec: { ...allHosts }, idIfNew: 50 }).then([]);
    });

    const edits: Array<[string, Partial<LabelSpec>]> = [
      ['description', { description: 'Every host' }],
      ['query', { query: 'select 2;' }],
      ['platform', { platform: 'darwin' }],
      ['membership type', { label_membership_type: 'manual', hosts: ['web-1'] }],
      ['hosts', { hosts: [] }],
    ];
    for (const [what, edit] of edits) {
      it(`cannot have their ${what} changed`, () => {
        const error = given([seeded])
          .when({ kind: 'label', spec: { ...allHosts, ...edit }, idIfNew: 50 })
          .thenFails('validation', /All Hosts.*built in/);
        assert.equal(error.problems.length, 1);
      });
    }
  });

  describe('policies', () => {
    const diskEncryption: PolicySpec = {
      name: 'disk encryption',
      description: 'Disks are encrypted',
      query: 'select 1 from disk_encryption where encrypted = 1;',
      resolution: 'Turn on FileVault',
      platform: 'darwin',
      team: 'Workstations',
    };

    it('a new policy takes the team and platform it is given', () => {
      given([])
        .when({ kind: 'policy', spec: diskEncryption, idIfNew: 4 })
        .then([
          {
            kind: 'policy',
            id: 4,
            version: 1,
            spec: diskEncryption,
            changes: Object.entries(diskEncryption).map(([field, to]) => ({ field, to })),
            builtin: false,
          },
        ]);
    });

    it('an updated policy keeps its previous team and platform, as Fleet ignores them on update', () => {
      const update: PolicySpec = { ...diskEncryption, query: 'select 1 from bitlocker_info;', platform: 'windows', team: 'Servers' };
      given([applied({ kind: 'policy', id: 4, version: 1, spec: diskEncryption })])
        .when({ kind: 'policy', spec: update, idIfNew: 9 })
        .then([
          {
            kind: 'policy',
            id: 4,
            version: 2,
            spec: { ...update, platform: 'darwin', team: 'Workstations' },
            changes: [{ field: 'query', from: diskEncryption.query, to: 'select 1 from bitlocker_info;' }],
            builtin: false,
          },
        ]);
    });
  });

  describe('packs', () => {
    it('a re-applied pack replaces its queries and targets', () => {
      const before: PackSpec = {
        name: 'baseline',
        description: 'Baseline',
        disabled: false,
        targets: { labels: ['All Hosts'], teams: null },
        queries: [packQuery('q1'), packQuery('q2')],
      };
      const after: PackSpec = { ...before, targets: { labels: ['macOS'], teams: null }, queries: [packQuery('q3', 300)] };
      given([applied({ kind: 'pack', id: 2, version: 1, spec: before })])
        .when({ kind: 'pack', spec: after, idIfNew: 9 })
        .then([
          {
            kind: 'pack',
            id: 2,
            version: 2,
            spec: after,
            changes: [
              { field: 'targets.labels', from: ['All Hosts'], to: ['macOS'] },
              { field: 'queries[q1]', from: packQuery('q1') },
              { field: 'queries[q2]', from: packQuery('q2') },
              { field: 'queries[q3]', to: packQuery('q3', 300) },
            ],
            builtin: false,
          },
        ]);
    });
  });
});

describe('evolveSpec', () => {
  it('holds the id, version, spec and built-in flag of the latest version', () => {
    const first = applied({ kind: 'query', id: 7, version: 1, spec: uptime });
    const second = applied({ kind: 'query', id: 7, version: 2, spec: { ...uptime, description: 'Seconds since boot' } });
    const state = [first, second].map(specAppliedEvent).reduce(specDecider.evolve, specDecider.initialState);
    assert.deepEqual(state, { id: 7, version: 2, spec: { ...uptime, description: 'Seconds since boot' }, builtin: false });
  });

  it('starts with no id, version 0 and no spec', () => {
    assert.deepEqual(specDecider.initialState, { id: null, version: 0, spec: null, builtin: false });
  });
});
