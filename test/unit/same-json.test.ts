/** sameJson answers as comparing JSON.stringify's texts would, without recursion. */
import assert from 'node:assert/strict';
import { sameJson } from '../../shared/json/same-json';

const cases: Array<[string, unknown, unknown]> = [
  ['equal scalars', 1, 1],
  ['different scalars', 1, 2],
  ['a string and a number', '1', 1],
  ['-0 and 0', -0, 0],
  ['NaN and null', NaN, null],
  ['Infinity and null', Infinity, null],
  ['undefined and undefined', undefined, undefined],
  ['undefined and null', undefined, null],
  ['same keys, same order', { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }],
  ['same keys, other order', { a: 1, b: 2 }, { b: 2, a: 1 }],
  ['an undefined value and a missing key', { a: 1, b: undefined }, { a: 1 }],
  ['undefined and null in an array', [undefined], [null]],
  ['arrays of other lengths', [1, 2], [1, 2, 3]],
  ['an array and an object', [], {}],
  ['null and an object', null, {}],
  ['a Date and its text', { at: new Date(0) }, { at: new Date(0).toISOString() }],
  ['nested difference', { a: { b: { c: [1, { d: true }] } } }, { a: { b: { c: [1, { d: false }] } } }],
  ['nested equality', { a: { b: { c: [1, { d: true }] } } }, { a: { b: { c: [1, { d: true }] } } }],
];

describe('sameJson', () => {
  for (const [what, a, b] of cases) {
    it(`agrees with JSON.stringify on ${what}`, () => {
      assert.equal(sameJson(a, b), JSON.stringify(a) === JSON.stringify(b));
    });
  }

  it('compares values nested 100,000 deep (JSON.stringify itself overflows the stack there)', () => {
    const deep = (leaf: unknown) => {
      let value: unknown = leaf;
      for (let i = 0; i < 100_000; i += 1) value = i % 2 === 0 ? { k: value } : [value];
      return value;
    };
    assert.throws(() => JSON.stringify(deep(1)), RangeError);
    assert.equal(sameJson(deep(1), deep(1)), true);
    assert.equal(sameJson(deep(1), deep(2)), false);
  });
});
