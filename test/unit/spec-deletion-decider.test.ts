import assert from 'node:assert/strict';
import { BUILTIN_LABELS } from '../../shared/domain/specs/builtin-labels';
import { specDecider } from '../../shared/domain/specs/spec-decider';
import { diffSpecs } from '../../shared/domain/specs/spec-diff';
import { specAppliedEvent, specDeletedEvent, type SpecApplied } from '../../shared/domain/specs/spec-events';
import type { LabelSpec, PackQuery, PackSpec, PolicySpec, QuerySpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import { givenWhenThen } from '../support/given-when-then';

const { given } = givenWhenThen(specDecider);

const uptime: QuerySpec = { name: 'uptime', description: '', query: 'select * from uptime;' };
const webServers: LabelSpec = { name: 'web servers', description: '', query: 'select 1;', platform: '', label_membership_type: 'dynamic' };

function applied<K extends SpecApplied['kind']>(data: Omit<SpecApplied<K>, 'changes' | 'builtin'> & Partial<SpecApplied<K>>) {
  return specAppliedEvent({ changes: [], builtin: false, ...data } as SpecApplied<K>);
}

function packQuery(query: string, name = query): PackQuery {
  return { query, name, description: '', interval: 60, snapshot: false, removed: false, platform: '', version: '', shard: null, denylist: null };
}

const pack: PackSpec = {
  name: 'baseline',
  description: '',
  disabled: false,
  targets: { labels: ['web servers', 'All Hosts'], teams: null },
  queries: [packQuery('uptime'), packQuery('users'), packQuery('uptime', 'uptime-again')],
};

describe('deleting a spec (spec decider)', () => {
  it('records the deletion as the next version, with the id the spec had', () => {
    given([applied({ kind: 'query', id: 4, version: 1, spec: uptime }), applied({ kind: 'query', id: 4, version: 2, spec: { ...uptime, description: 'x' } })])
      .when({ action: 'delete', kind: 'query', name: 'uptime' })
      .then([specDeletedEvent({ kind: 'query', id: 4, name: 'uptime', version: 3 })]);
  });

  it('answers 404 in Fleet\'s words for a name that was never applied', () => {
    const error = given([]).when({ action: 'delete', kind: 'pack', name: 'nothing' }).thenFails('not_found', /^Pack nothing was not found in the datastore$/);
    assert.deepEqual(error.problems, [{ name: 'base', reason: 'Pack nothing was not found in the datastore' }]);
  });

  it('answers 404 for a spec already deleted', () => {
    given([applied({ kind: 'query', id: 4, version: 1, spec: uptime }), specDeletedEvent({ kind: 'query', id: 4, name: 'uptime', version: 2 })])
      .when({ action: 'delete', kind: 'query', name: 'uptime' })
      .thenFails('not_found', /^Query uptime was not found in the datastore$/);
  });

  it('refuses a built-in label, on `name`, as Fleet does', () => {
    const allHosts = BUILTIN_LABELS[0]!;
    const error = given([applied({ kind: 'label', id: 1, version: 1, spec: allHosts, builtin: true })])
      .when({ action: 'delete', kind: 'label', name: allHosts.name })
      .thenFails('validation', /cannot delete built-in label 'All Hosts'/);
    assert.equal(error.problems[0]!.name, 'name');
  });

  it('makes a re-applied name a new spec: the new id offered, the version after the deletion, every field a change', () => {
    const past = [applied({ kind: 'query', id: 4, version: 1, spec: uptime }), specDeletedEvent({ kind: 'query', id: 4, name: 'uptime', version: 2 })];
    given(past)
      .when({ kind: 'query', spec: uptime, idIfNew: 9 })
      .then([
        applied({
          kind: 'query',
          id: 9,
          version: 3,
          spec: uptime,
          changes: [
            { field: 'name', to: 'uptime' },
            { field: 'description', to: '' },
            { field: 'query', to: 'select * from uptime;' },
          ],
        }),
      ]);
    const state = past.reduce(specDecider.evolve, specDecider.initialState);
    assert.deepEqual(state, { id: null, version: 2, spec: null, builtin: false }, 'no id after a deletion: the apply reserves a new one');
  });
});

describe('a pack told of a deletion (Fleet\'s cascade)', () => {
  const packV1 = applied({ kind: 'pack', id: 2, version: 1, spec: pack });

  it('drops every scheduled query of a deleted query, as a new version marked detached', () => {
    const next: PackSpec = { ...pack, queries: [packQuery('users')] };
    given([packV1])
      .when({ action: 'detach', deleted: { kind: 'query', name: 'uptime' } })
      .then([
        applied({
          kind: 'pack',
          id: 2,
          version: 2,
          spec: next,
          changes: [
            { field: 'queries[uptime]', from: packQuery('uptime') },
            { field: 'queries[uptime-again]', from: packQuery('uptime', 'uptime-again') },
          ],
          detached: { kind: 'query', name: 'uptime' },
        }),
      ]);
  });

  it('drops a deleted label from its targets', () => {
    given([packV1])
      .when({ action: 'detach', deleted: { kind: 'label', name: 'web servers' } })
      .then([
        applied({
          kind: 'pack',
          id: 2,
          version: 2,
          spec: { ...pack, targets: { labels: ['All Hosts'], teams: null } },
          changes: [{ field: 'targets.labels', from: ['web servers', 'All Hosts'], to: ['All Hosts'] }],
          detached: { kind: 'label', name: 'web servers' },
        }),
      ]);
  });

  it('decides nothing when it names neither, or has no labels at all', () => {
    given([packV1]).when({ action: 'detach', deleted: { kind: 'query', name: 'processes' } }).then([]);
    given([packV1]).when({ action: 'detach', deleted: { kind: 'label', name: 'macOS' } }).then([]);
    const noLabels = applied({ kind: 'pack', id: 2, version: 1, spec: { ...pack, targets: { labels: null, teams: null } } });
    given([noLabels]).when({ action: 'detach', deleted: { kind: 'label', name: 'web servers' } }).then([]);
  });

  it('decides nothing for a pack that is deleted or never existed', () => {
    given([]).when({ action: 'detach', deleted: { kind: 'query', name: 'uptime' } }).then([]);
    given([packV1, specDeletedEvent({ kind: 'pack', id: 2, name: 'baseline', version: 2 })]).when({ action: 'detach', deleted: { kind: 'query', name: 'uptime' } }).then([]);
  });

  it('decides nothing for a label it names only as its team (labels and teams are separate targets)', () => {
    const teamOnly = applied({ kind: 'pack', id: 2, version: 1, spec: { ...pack, targets: { labels: [], teams: ['web servers'] } } });
    given([teamOnly]).when({ action: 'detach', deleted: { kind: 'label', name: 'web servers' } }).then([]);
  });
});

describe('a deleted label applied again', () => {
  it('is checked and recorded as a new label: the new id, the version after the deletion', () => {
    given([applied({ kind: 'label', id: 12, version: 1, spec: webServers }), specDeletedEvent({ kind: 'label', id: 12, name: 'web servers', version: 2 })])
      .when({ kind: 'label', spec: webServers, idIfNew: 20 })
      .then([
        applied({
          kind: 'label',
          id: 20,
          version: 3,
          spec: webServers,
          changes: [
            { field: 'name', to: 'web servers' },
            { field: 'description', to: '' },
            { field: 'query', to: 'select 1;' },
            { field: 'platform', to: '' },
            { field: 'label_membership_type', to: 'dynamic' },
          ],
        }),
      ]);
  });

  describe('by id (policies, teams)', () => {
    const policy: PolicySpec = { name: 'disk', description: '', query: 'select 1;', resolution: '', platform: '', team: 'red' };
    const team: TeamSpec = { name: 'red', agent_options: null, secrets: [] };

    it('deletes the spec that still has the id asked for, and 404s naming the id otherwise', () => {
      given([applied({ kind: 'team', id: 7, version: 1, spec: team })])
        .when({ action: 'delete', kind: 'team', name: 'red', id: 7 })
        .then([specDeletedEvent({ kind: 'team', id: 7, name: 'red', version: 2 })]);
      // Deleted and applied again since the id was read: another team, not the one asked for.
      given([applied({ kind: 'team', id: 7, version: 1, spec: team }), specDeletedEvent({ kind: 'team', id: 7, name: 'red', version: 2 }), applied({ kind: 'team', id: 9, version: 3, spec: team })])
        .when({ action: 'delete', kind: 'team', name: 'red', id: 7 })
        .thenFails('not_found', /^Team 7 was not found in the datastore$/);
    });

    it("deletes a team's policy with it, marked as the team's cascade; another team's policy and a deleted one decide nothing", () => {
      given([applied({ kind: 'policy', id: 3, version: 2, spec: policy })])
        .when({ action: 'delete-with-team', team: 'red' })
        .then([specDeletedEvent({ kind: 'policy', id: 3, name: 'disk', version: 3, cascade: { kind: 'team', name: 'red' } })]);
      given([applied({ kind: 'policy', id: 3, version: 1, spec: { ...policy, team: 'blue' } })]).when({ action: 'delete-with-team', team: 'red' }).then([]);
      given([applied({ kind: 'policy', id: 3, version: 1, spec: policy }), specDeletedEvent({ kind: 'policy', id: 3, name: 'disk', version: 2 })])
        .when({ action: 'delete-with-team', team: 'red' })
        .then([]);
    });

    it("takes a deleted team out of a pack's team targets", () => {
      const targeted: PackSpec = { ...pack, targets: { labels: null, teams: ['red', 'blue'] } };
      const next: PackSpec = { ...targeted, targets: { labels: null, teams: ['blue'] } };
      given([applied({ kind: 'pack', id: 2, version: 1, spec: targeted })])
        .when({ action: 'detach', deleted: { kind: 'team', name: 'red' } })
        .then([applied({ kind: 'pack', id: 2, version: 2, spec: next, changes: diffSpecs(targeted, next), detached: { kind: 'team', name: 'red' } })]);
    });
  });
});
