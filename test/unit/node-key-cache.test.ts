/**
 * Remembered node keys (services/agent-api/node-key-cache.ts): bounded, and a key whose host no
 * longer has that key's hash (re-enrolled, removed) is a miss.
 */
import assert from 'node:assert/strict';
import { NodeKeyCache } from '../../services/agent-api/node-key-cache';
import type { HostRecord } from '../../services/agent-api/host-table';

const host = (nodeKeyHash: string | null) => ({ state: { nodeKeyHash } }) as unknown as HostRecord;

describe('remembered node keys', function () {
  const verify = (hash: string, record: HostRecord) => record.state.nodeKeyHash === hash;

  it('answers a remembered key while its host keeps that hash, and forgets it once the host has another', () => {
    const cache = new NodeKeyCache(() => 10, verify);
    const record = host('hash-1');
    cache.remember('key-1', 'hash-1', record);
    assert.equal(cache.get('key-1'), record);
    assert.equal(cache.get('key-2'), undefined);
    (record.state as { nodeKeyHash: string }).nodeKeyHash = 'hash-2'; // the host re-enrolled
    assert.equal(cache.get('key-1'), undefined);
    assert.equal(cache.size, 0, 'the stale entry is dropped');
  });

  it('never holds more than its limit', () => {
    const cache = new NodeKeyCache(() => 100, verify);
    for (let i = 0; i < 1_000; i++) {
      cache.remember(`key-${i}`, `hash-${i}`, host(`hash-${i}`));
      assert.ok(cache.size <= 100);
    }
    assert.equal(cache.get('key-999')?.state.nodeKeyHash, 'hash-999');
  });
});
