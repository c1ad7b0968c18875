/** diffSpecs: what the spec history lists, also for values nested far deeper than any stack. */
import assert from 'node:assert/strict';
import { diffSpecs } from '../../shared/domain/specs/spec-diff';

/** `{a: {a: ... {a: leaf}}}`, `depth` objects deep, built without recursion. */
function nested(depth: number, leaf: unknown): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value as Record<string, unknown>;
}

function nestedArrays(depth: number, leaf: unknown): unknown[] {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value as unknown[];
}

const DEEP = 100_000;

const q1 = { name: 'q1', query: 'select 1;', interval: 60 };
const q2 = { name: 'q2', query: 'select 2;', interval: 60 };
const q3 = { name: 'q3', query: 'select 3;', interval: 300 };

describe('diffSpecs', () => {
  describe('from nothing (a new spec)', () => {
    it('lists every top-level field with only its new value', () => {
      const spec = { name: 'baseline', targets: { labels: ['macOS'], teams: null }, queries: [q1] };
      assert.deepEqual(diffSpecs(null, spec), [
        { field: 'name', to: 'baseline' },
        { field: 'targets', to: { labels: ['macOS'], teams: null } },
        { field: 'queries', to: [q1] },
      ]);
    });
  });

  it('finds nothing between equal specs, whatever the order of their keys', () => {
    assert.deepEqual(diffSpecs({ name: 'a', description: 'd' }, { description: 'd', name: 'a' }), []);
  });

  describe('nested objects', () => {
    it('are compared field by field, with dotted paths', () => {
      const before = { name: 'p', targets: { labels: ['All Hosts'], teams: null } };
      const after = { name: 'p', targets: { labels: ['All Hosts', 'macOS'], teams: null } };
      assert.deepEqual(diffSpecs(before, after), [{ field: 'targets.labels', from: ['All Hosts'], to: ['All Hosts', 'macOS'] }]);
    });

    it('keep null as a value that was there', () => {
      const before = { targets: { labels: null, teams: null } };
      const after = { targets: { labels: null, teams: ['Servers'] } };
      assert.deepEqual(diffSpecs(before, after), [{ field: 'targets.teams', from: null, to: ['Servers'] }]);
    });
  });

  describe('fields added or removed', () => {
    it('an added field has only `to`, a removed one only `from`', () => {
      const changes = diffSpecs({ name: 'uptime', observer_can_run: true }, { name: 'uptime', description: 'boot' });
      assert.deepEqual(changes, [
        { field: 'observer_can_run', from: true },
        { field: 'description', to: 'boot' },
      ]);
      assert.ok(!('to' in changes[0]), 'a removed field has no `to`');
      assert.ok(!('from' in changes[1]), 'an added field has no `from`');
    });
  });

  describe('lists of named items', () => {
    it('are matched by name, so one changed field shows under the item name', () => {
      const after = [q1, { ...q2, interval: 120 }];
      assert.deepEqual(diffSpecs({ queries: [q1, q2] }, { queries: after }), [{ field: 'queries[q2].interval', from: 60, to: 120 }]);
    });

    it('show an added item with only `to` and a removed item with only `from`', () => {
      assert.deepEqual(diffSpecs({ queries: [q1, q2] }, { queries: [q1, q3] }), [
        { field: 'queries[q2]', from: q2 },
        { field: 'queries[q3]', to: q3 },
      ]);
    });

    it('show items added to an empty list one by one', () => {
      assert.deepEqual(diffSpecs({ queries: [] }, { queries: [q1, q2] }), [
        { field: 'queries[q1]', to: q1 },
        { field: 'queries[q2]', to: q2 },
      ]);
    });

    it('do not change when only the order of their items does', () => {
      assert.deepEqual(diffSpecs({ queries: [q1, q2] }, { queries: [q2, q1] }), []);
    });
  });

  describe('other arrays', () => {
    it('are compared whole, order included', () => {
      assert.deepEqual(diffSpecs({ hosts: ['a', 'b'] }, { hosts: ['b', 'a'] }), [{ field: 'hosts', from: ['a', 'b'], to: ['b', 'a'] }]);
    });

    it('of objects without names are compared whole too', () => {
      const before = { secrets: [{ secret: 'one' }] };
      const after = { secrets: [{ secret: 'one' }, { secret: 'two' }] };
      assert.deepEqual(diffSpecs(before, after), [{ field: 'secrets', from: before.secrets, to: after.secrets }]);
    });
  });

  it('reports a value whose shape changed as one change', () => {
    assert.deepEqual(diffSpecs({ agent_options: null }, { agent_options: { config: { options: {} } } }), [
      { field: 'agent_options', from: null, to: { config: { options: {} } } },
    ]);
  });

  describe('order and depth', () => {
    it('lists added, changed and removed fields depth first, and named list items by name', () => {
      const before = { name: 't', agent_options: { config: { options: { a: 1, b: 2 } } }, queries: [{ name: 'q1', interval: 60 }, { name: 'q2', interval: 60 }] };
      const after = { name: 't', agent_options: { config: { options: { a: 1, b: 3, c: 4 } } }, queries: [{ name: 'q2', interval: 120 }, { name: 'q3', interval: 60 }] };
      assert.deepEqual(diffSpecs(before, after), [
        { field: 'agent_options.config.options.b', from: 2, to: 3 },
        { field: 'agent_options.config.options.c', to: 4 },
        { field: 'queries[q1]', from: { name: 'q1', interval: 60 } },
        { field: 'queries[q2].interval', from: 60, to: 120 },
        { field: 'queries[q3]', to: { name: 'q3', interval: 60 } },
      ]);
    });

    it('compares objects inside other arrays as JSON text would, key order included', () => {
      assert.deepEqual(diffSpecs({ l: [{ x: 1, y: 2 }] }, { l: [{ x: 1, y: 2 }] }), []);
      assert.deepEqual(diffSpecs({ l: [{ x: 1, y: 2 }] }, { l: [{ y: 2, x: 1 }] }), [{ field: 'l', from: [{ x: 1, y: 2 }], to: [{ y: 2, x: 1 }] }]);
    });

    it(`diffs objects nested ${DEEP.toLocaleString('en')} deep without overflowing the stack`, () => {
      assert.deepEqual(diffSpecs({ agent_options: nested(DEEP, 1) }, { agent_options: nested(DEEP, 1) }), []);
      const changes = diffSpecs({ agent_options: nested(DEEP, 1) }, { agent_options: nested(DEEP, 2) });
      assert.equal(changes.length, 1);
      assert.equal(changes[0].field, `agent_options${'.a'.repeat(DEEP)}`);
      assert.equal(changes[0].from, 1);
      assert.equal(changes[0].to, 2);
    });

    it(`compares arrays nested ${DEEP.toLocaleString('en')} deep as one value without overflowing the stack`, () => {
      assert.deepEqual(diffSpecs({ l: nestedArrays(DEEP, 'x') }, { l: nestedArrays(DEEP, 'x') }), []);
      const after = { l: nestedArrays(DEEP, 'y') };
      const changes = diffSpecs({ l: nestedArrays(DEEP, 'x') }, after);
      assert.equal(changes.length, 1);
      assert.equal(changes[0].field, 'l');
      assert.equal(changes[0].to, after.l);
    });

    it(`adds a field holding a value nested ${DEEP.toLocaleString('en')} deep as one change`, () => {
      const deep = nested(DEEP, 'leaf');
      assert.deepEqual(diffSpecs({ name: 't' }, { name: 't', agent_options: deep }), [{ field: 'agent_options', to: deep }]);
    });
  });
});
