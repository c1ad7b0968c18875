/**
 * The hosts' key index (host-row-index.ts) answers as a Map from key to host would, through
 * growth, deletes and replacements; a delete finds its entry by row even when the host already
 * answers another key.
 */
import assert from 'node:assert/strict';
import { HostRowIndex } from '../../services/agent-api/host-row-index';
import type { HostRecord } from '../../services/agent-api/host-table';

interface Keyed {
  key: string | null;
}

describe('host row index', function () {
  it('answers as a Map would, through thousands of sets, replacements and deletes', () => {
    const rows: Keyed[] = [];
    const index = new HostRowIndex(rows as unknown as HostRecord[], (host) => (host as unknown as Keyed).key, 16);
    const model = new Map<string, number>();
    let seed = 7;
    const random = (below: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % below);
    for (let step = 0; step < 20_000; step++) {
      const key = `key-${random(3_000)}`;
      if (random(4) === 0 && model.has(key)) {
        const row = model.get(key)!;
        index.delete(key, row);
        rows[row].key = null;
        model.delete(key);
      } else {
        const row = rows.push({ key }) - 1;
        const known = model.get(key);
        assert.equal(index.set(key, row), known === undefined);
        if (known !== undefined) rows[known].key = null; // replaced: no longer in the index
        model.set(key, row);
      }
    }
    assert.equal(index.size, model.size);
    for (let n = 0; n < 3_000; n++) {
      const key = `key-${n}`;
      const row = model.get(key);
      assert.equal(index.get(key), row === undefined ? undefined : rows[row], key);
    }
  });

  it('deletes a host under the key it had, after it answers a new one', () => {
    const rows: Keyed[] = [{ key: 'old' }];
    const index = new HostRowIndex(rows as unknown as HostRecord[], (host) => (host as unknown as Keyed).key);
    index.set('old', 0);
    rows[0].key = 'new';
    index.delete('old', 0);
    index.set('new', 0);
    assert.equal(index.get('old'), undefined);
    assert.equal(index.get('new'), rows[0]);
    assert.equal(index.size, 1);
  });

  it('does not delete another host under the same key', () => {
    const rows: Keyed[] = [{ key: 'k' }, { key: 'k' }];
    const index = new HostRowIndex(rows as unknown as HostRecord[], (host) => (host as unknown as Keyed).key);
    index.set('k', 0);
    index.set('k', 1);
    index.delete('k', 0);
    assert.equal(index.get('k'), rows[1]);
  });
});
