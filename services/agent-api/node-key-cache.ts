/**
 * Node key → host, for keys that authenticated lately, so a check-in does not hash its node key
 * (SHA-256; the view indexes hosts by the hash only) every time.
 *
 * Invariants:
 * - only a key that named a host is ever added (`remember` after a successful lookup by hash), so
 *   unknown keys cannot fill it;
 * - a hit is checked against the view: the entry's hash must still name the same host
 *   (`verify`), so a re-enrolled host's old key, or a removed host's, is a miss and is dropped;
 * - at most `limit` entries (the caller gives its host count plus slack): when full it is emptied
 *   and refills from the next check-ins, so memory stays bounded whatever keys arrive.
 * Plain node keys live here only in memory, as they already do in every request being served; snapshots keep hashes only.
 */
import type { HostRecord } from './host-table';

interface Entry {
  hash: string;
  host: HostRecord;
}

export class NodeKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limit: () => number,
    private readonly verify: (hash: string, host: HostRecord) => boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The host `nodeKey` named when remembered, if its hash still names it. */
  get(nodeKey: string): HostRecord | undefined {
    const entry = this.entries.get(nodeKey);
    if (entry === undefined) return undefined;
    if (this.verify(entry.hash, entry.host)) return entry.host;
    this.entries.delete(nodeKey);
    return undefined;
  }

  remember(nodeKey: string, hash: string, host: HostRecord): void {
    if (this.entries.size >= this.limit()) this.entries.clear();
    this.entries.set(nodeKey, { hash, host });
  }
}
