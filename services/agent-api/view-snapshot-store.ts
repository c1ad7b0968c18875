/**
 * Snapshots of the agent view in their own LMDB environment under DATA_DIR (`agent-view`), so a
 * restart loads the fleet and follows only the tail of the log after the position the snapshot
 * covers, instead of the whole log.
 *
 * Layout (string keys; the header and head are JSON text):
 *   header                  { format, generation, position, eventId, takenAt, hosts, head, chunks }
 *   <generation>:head       the spec side and running campaigns at `position`
 *   <generation>:hosts:<i>  up to HOSTS_PER_CHUNK hosts: format 3, binary columns
 *                           (view-snapshot-columns.ts); format 2, JSON host tuples (view-snapshot-codec.ts)
 * `head` and `chunks` are the SHA-256 digests of those values' bytes (of the text, in format 2).
 * This code writes format 3 and reads 3 and 2 (a snapshot the previous version wrote).
 *
 * Invariants:
 * - a snapshot is used only whole: the header's format is this code's, the log still holds the
 *   event the header names at its position (same id), every part is there with its digest and
 *   decodes. Anything else and the caller builds the view from the log's start: a snapshot can
 *   make a start faster, never lose or change anything.
 * - a snapshot is written part by part under a new generation, and the header (one write) moves
 *   to it only once every part is stored; older generations are deleted after. A crash mid-write
 *   leaves the previous snapshot whole.
 * - the environment is open only while a snapshot is read or written, so its pages do not stay
 *   mapped in the process (they would count in its RSS).
 * - one writer at a time per DATA_DIR (the process that owns it); a second one could only make
 *   a snapshot unusable (then refused as above), never wrong.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { LmdbWriteGuard } from '../../shared/adapters/storage/lmdb-write-guard';
import { LMDB_MAP_SIZE } from '../../shared/adapters/storage/lmdb-map-size';
import { StorageHealth } from '../../shared/adapters/storage/storage-health';
import { startupPhase } from '../../shared/observability/startup-phases';
import { START, type EventStore } from '../../shared/ports/event-store';
import type { AgentView } from './agent-view';
import type { LiveCampaigns } from './live-campaigns';
import { adoptHostTuple, decodeHead, encodeHead, encodeHost, SnapshotDecodeError } from './view-snapshot-codec';
import { adoptHostColumns, encodeHostColumns } from './view-snapshot-columns';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Bumped whenever what a snapshot holds or how it is encoded changes: older ones are then ignored. */
/** 2: campaigns hold their selection's members as bits and who is done with them (1 listed every target and who waits). */
/** 3: hosts as binary columns (2: JSON tuples, still read). */
export const SNAPSHOT_FORMAT = 3;
/** The formats this code loads. */
const READABLE_FORMATS: ReadonlySet<number> = new Set([2, 3]);
const HOSTS_PER_CHUNK = 2_000;
const HEADER_KEY = 'header';

interface SnapshotHeader {
  format: number;
  generation: string;
  position: number;
  eventId: string;
  takenAt: string;
  hosts: number;
  head: string;
  chunks: string[];
}

export type SnapshotLoad =
  | { loaded: true; position: number; hosts: number }
  /** Nothing usable: `reason` says why (none yet, another format, another log, damaged). */
  | { loaded: false; reason: string };

export interface WrittenSnapshot {
  position: number;
  hosts: number;
  bytes: number;
}

const digest = (value: string | Uint8Array) => createHash('sha256').update(value).digest('hex');

export class ViewSnapshotStore {
  /** `writeFormat` 2 only to test that snapshots of the previous version still load. */
  constructor(
    private readonly path: string,
    private readonly writeFormat: 2 | 3 = SNAPSHOT_FORMAT,
  ) {}

  private async withEnvironment<T>(use: (root: RootDatabase<string, string>, guard: LmdbWriteGuard) => Promise<T>): Promise<T> {
    mkdirSync(this.path, { recursive: true });
    const root = open<string, string>({ path: this.path, encoding: 'string', mapSize: LMDB_MAP_SIZE });
    try {
      return await use(root, new LmdbWriteGuard(root, this.path, new StorageHealth()));
    } finally {
      await root.close();
    }
  }

  /**
   * Loads the snapshot into a view (and its live campaigns) that has followed nothing yet. When
   * this answers `loaded: false` after starting to fill them, they are partly filled: the caller
   * discards them and starts from fresh ones.
   */
  load(view: AgentView, live: LiveCampaigns, log: EventStore): Promise<SnapshotLoad> {
    return this.withEnvironment(async (root) => {
      const headerText = root.get(HEADER_KEY);
      if (headerText === undefined) return { loaded: false, reason: 'no snapshot yet' };
      let header: SnapshotHeader;
      try {
        header = parseHeader(headerText);
      } catch (error) {
        return { loaded: false, reason: (error as Error).message };
      }
      if (!READABLE_FORMATS.has(header.format)) return { loaded: false, reason: `snapshot format ${header.format}, this version reads ${[...READABLE_FORMATS].join(' and ')}` };
      startupPhase('snapshot header read');
      const [covered] = await log.readAll(header.position - 1, 1);
      if (!covered || covered.position !== header.position || covered.id !== header.eventId) {
        return { loaded: false, reason: `the log does not hold the event the snapshot covers (position ${header.position})` };
      }
      try {
        startupPhase('snapshot checked against the log');
        const head = decodeHead(JSON.parse(partText(root, `${header.generation}:head`, header.head)));
        view.restoreSpecs(head.specs);
        view.reserveHosts(Math.min(header.hosts, header.chunks.length * HOSTS_PER_CHUNK));
        live.restore(head.campaigns);
        for (let index = 0; index < header.chunks.length; index++) {
          const key = `${header.generation}:hosts:${index}`;
          if (header.format === 3) adoptHostColumns(view, partBytes(root, key, header.chunks[index]));
          else adoptHostTuples(view, JSON.parse(partText(root, key, header.chunks[index])), index);
          await yieldToEventLoop();
        }
        if (view.allHosts().length !== header.hosts) throw new SnapshotDecodeError(`${view.allHosts().length} hosts where the header says ${header.hosts}`);
      } catch (error) {
        return { loaded: false, reason: `damaged snapshot: ${(error as Error).message}` };
      }
      startupPhase('snapshot hosts decoded');
      view.resumeAfter(header.position, header.eventId);
      return { loaded: true, position: header.position, hosts: header.hosts };
    });
  }

  /**
   * Writes a snapshot of the view at the position it has followed: the spec side and campaigns
   * in this turn, the hosts chunk by chunk over later turns (each host as it is then, which is
   * at that position or later: see agent-view.ts). Null when the view has followed nothing.
   */
  write(view: AgentView, live: LiveCampaigns, now = Date.now()): Promise<WrittenSnapshot | null> {
    const { position, eventId } = view.followed;
    if (position === START || eventId === null) return Promise.resolve(null);
    const headText = JSON.stringify(encodeHead(view, live.exportRunning(now)));
    const hosts = view.allHosts();
    return this.withEnvironment(async (root, guard) => {
      const generation = randomUUID();
      let bytes = headText.length;
      await guard.commit(root.put(`${generation}:head`, headText));
      const chunks: string[] = [];
      for (let start = 0; start < hosts.length; start += HOSTS_PER_CHUNK) {
        const part = hosts.slice(start, start + HOSTS_PER_CHUNK);
        const value = this.writeFormat === 3 ? encodeHostColumns(part) : JSON.stringify(part.map(encodeHost));
        chunks.push(digest(value));
        bytes += value.length;
        // A Buffer is stored as its bytes whatever the environment's encoding (read with getBinary).
        await guard.commit(root.put(`${generation}:hosts:${chunks.length - 1}`, value as string));
      }
      const header: SnapshotHeader = { format: this.writeFormat, generation, position, eventId, takenAt: new Date(now).toISOString(), hosts: hosts.length, head: digest(headText), chunks };
      await guard.commit(root.put(HEADER_KEY, JSON.stringify(header)));
      await guard.commit(
        root.transaction(() => {
          for (const key of root.getKeys()) if (key !== HEADER_KEY && !key.startsWith(`${generation}:`)) root.remove(key);
        }),
      );
      return { position, hosts: hosts.length, bytes };
    });
  }
}

function adoptHostTuples(view: AgentView, tuples: unknown, index: number): void {
  if (!Array.isArray(tuples)) throw new SnapshotDecodeError(`hosts part ${index} is not a list`);
  for (const tuple of tuples) adoptHostTuple(view, tuple);
}

/** A part's stored bytes, checked against its digest. */
function partBytes(root: RootDatabase<string, string>, key: string, expectedDigest: string): Buffer {
  const bytes = root.getBinary(key);
  if (bytes === undefined) throw new SnapshotDecodeError(`part ${key} is missing`);
  if (digest(bytes) !== expectedDigest) throw new SnapshotDecodeError(`part ${key} does not match its digest`);
  return bytes;
}

/** A text part (the environment's string encoding stores UTF-8), checked against the digest of that text. */
function partText(root: RootDatabase<string, string>, key: string, expectedDigest: string): string {
  return partBytes(root, key, expectedDigest).toString('utf8');
}

function parseHeader(text: string): SnapshotHeader {
  let header: Partial<SnapshotHeader>;
  try {
    header = JSON.parse(text) as Partial<SnapshotHeader>;
  } catch {
    throw new SnapshotDecodeError('the header is not JSON');
  }
  const valid =
    header !== null &&
    typeof header === 'object' &&
    Number.isSafeInteger(header.format) &&
    typeof header.generation === 'string' &&
    Number.isSafeInteger(header.position) &&
    (header.position as number) > START &&
    typeof header.eventId === 'string' &&
    Number.isSafeInteger(header.hosts) &&
    typeof header.head === 'string' &&
    Array.isArray(header.chunks) &&
    header.chunks.every((chunk) => typeof chunk === 'string');
  if (!valid) throw new SnapshotDecodeError('the header is not a snapshot header');
  return header as SnapshotHeader;
}
