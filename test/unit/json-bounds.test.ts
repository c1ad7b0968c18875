/** checkJsonBounds: the first value of a body out of bounds, with its path; iterative. */
import assert from 'node:assert/strict';
import { checkJsonBounds, OPERATOR_BODY_BOUNDS, type JsonBounds } from '../../shared/http/json-bounds';

const bounds: JsonBounds = { maxDepth: 4, maxKeysPerObject: 3, maxStringLength: 10 };

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('checkJsonBounds', () => {
  it('accepts values within every bound, at the bounds themselves', () => {
    assert.equal(checkJsonBounds({ a: [{ b: ['0123456789'] }], c: null, d: 1 }, bounds), null);
    assert.equal(checkJsonBounds(undefined, bounds), null);
    assert.equal(checkJsonBounds('0123456789', bounds), null);
  });

  it('refuses nesting deeper than maxDepth, naming the path and the limit', () => {
    assert.equal(checkJsonBounds(nested(4), bounds), null);
    assert.deepEqual(checkJsonBounds(nested(5), bounds), {
      limit: 'maxDepth',
      path: 'a.a.a.a',
      reason: 'the body nests objects and arrays deeper than the limit of 4 levels',
    });
    assert.equal(checkJsonBounds({ l: [[[[]]]] }, bounds)?.path, 'l.0.0.0');
  });

  it('refuses a body nested 1,000,000 deep without overflowing the stack', () => {
    assert.equal(checkJsonBounds(nested(1_000_000), OPERATOR_BODY_BOUNDS)?.limit, 'maxDepth');
  });

  it('refuses an object with more keys than maxKeysPerObject', () => {
    const found = checkJsonBounds({ specs: [{ a: 1, b: 2, c: 3, d: 4 }] }, bounds);
    assert.equal(found?.limit, 'maxKeysPerObject');
    assert.equal(found?.path, 'specs.0');
    assert.match(found!.reason, /4 keys, over the limit of 3/);
  });

  it('refuses strings and keys longer than maxStringLength', () => {
    assert.deepEqual(checkJsonBounds({ a: ['x'.repeat(11)] }, bounds), { limit: 'maxStringLength', path: 'a.0', reason: 'a string is 11 characters long, over the limit of 10' });
    const longKey = checkJsonBounds({ ['k'.repeat(11)]: 1 }, bounds);
    assert.equal(longKey?.limit, 'maxStringLength');
    assert.match(longKey!.reason, /a key is 11 characters long/);
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses the key ${key} anywhere, as an unknown field`, () => {
      const body = JSON.parse(`{"specs": [{"name": "x", "agent_options": {"${key}": {"polluted": true}}}]}`);
      assert.deepEqual(checkJsonBounds(body, OPERATOR_BODY_BOUNDS), {
        limit: 'forbiddenKey',
        path: `specs.0.agent_options.${key}`,
        reason: `'${key}' is not allowed (unknown field)`,
      });
    });
  }

  it('reports the first violation in document order', () => {
    assert.equal(checkJsonBounds({ first: 'x'.repeat(11), second: nested(9) }, bounds)?.path, 'first');
    assert.equal(checkJsonBounds([nested(9), 'x'.repeat(11)], bounds)?.path, '0.a.a.a');
  });
});
