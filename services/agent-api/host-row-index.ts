/**
 * Hosts by a string key (a stream id, a node key hash), as an open-addressing table of host row
 * numbers in two Int32Arrays instead of a Map: a start that adopts a fleet from a snapshot adds
 * two ints a host and grows by copying ints, no Map entry per host. The keys are not copied: an
 * entry holds the row, and the key is read from the host itself (`keyOf`) when probing.
 *
 * Invariants:
 * - `rows[row]` is the host of row `row` for as long as the index lives (rows are never reused);
 * - an entry is for the key `keyOf(host)` has while it is in the index: a caller changing what
 *   keyOf answers for a host deletes its entry under the old key first (delete takes the row, so
 *   it works when the host already answers the new key);
 * - at most half the slots are used (live or deleted), so probes stay short. The hash is seeded
 *   per process, so keys chosen from outside (host identifiers) cannot be picked to collide
 *   from knowing the code alone.
 */
import type { HostRecord } from './host-table';

const EMPTY = 0;
const DELETED = -1;
const SEED = (Math.random() * 0x1_0000_0000) >>> 0;

/** FNV-1a over the UTF-16 code units, from a per-process basis, then mixed (murmur3's finaliser). */
export function keyHash(key: string): number {
  let hash = (0x811c9dc5 ^ SEED) | 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) | 0;
}

export class HostRowIndex {
  /** Per slot: EMPTY, DELETED, or the row + 1. */
  private slots: Int32Array;
  private hashes: Int32Array;
  private used = 0;
  private live = 0;

  constructor(
    private readonly rows: ReadonlyArray<HostRecord | undefined>,
    private readonly keyOf: (host: HostRecord) => string | null,
    capacity = 1024,
  ) {
    const size = 1 << Math.max(4, Math.ceil(Math.log2(Math.max(capacity, 16))));
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
  }

  get size(): number {
    return this.live;
  }

  /** Makes room for `count` entries in all, so that adding up to that many does not grow the table. */
  reserve(count: number): void {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, count * 2 + 2)));
    if (size > this.slots.length) this.rehash(size);
  }

  get(key: string): HostRecord | undefined {
    const slot = this.find(key, keyHash(key));
    return slot < 0 ? undefined : this.rows[this.slots[slot] - 1];
  }

  /** Indexes `row` under `key` (replacing another row there). False when the key was there already. */
  set(key: string, row: number): boolean {
    const hash = keyHash(key);
    const found = this.find(key, hash);
    if (found >= 0) {
      this.slots[found] = row + 1;
      return false;
    }
    if ((this.used + 1) * 2 > this.slots.length) this.rehash(this.live * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] > 0) slot = (slot + 1) & mask;
    if (this.slots[slot] === EMPTY) this.used++;
    this.slots[slot] = row + 1;
    this.hashes[slot] = hash;
    this.live++;
    return true;
  }

  /** Removes the entry of `row` under `key`, if there is one. */
  delete(key: string, row: number): void {
    const hash = keyHash(key);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; this.slots[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.slots[slot] === row + 1) {
        this.slots[slot] = DELETED;
        this.live--;
        return;
      }
    }
  }

  private find(key: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === EMPTY) return -1;
      if (entry > 0 && this.hashes[slot] === hash) {
        const host = this.rows[entry - 1];
        if (host !== undefined && this.keyOf(host) === key) return slot;
      }
    }
  }

  private rehash(size: number): void {
    const [slots, hashes] = [this.slots, this.hashes];
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    const mask = size - 1;
    for (let old = 0; old < slots.length; old++) {
      if (slots[old] <= 0) continue;
      let slot = hashes[old] & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = slots[old];
      this.hashes[slot] = hashes[old];
    }
    this.used = this.live;
  }
}
