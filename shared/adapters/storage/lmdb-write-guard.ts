/**
 * How lmdb-js reports a write the disk refused, and what the embedded stores make of it.
 *
 * lmdb-js writes on its own thread. When a transaction's commit fails (ENOSPC writing a page,
 * EIO on a short write, MDB_MAP_FULL), LMDB aborts the whole transaction, so none of its writes is
 * visible and the environment stays usable: the next transaction starts from the last committed
 * state. lmdb-js then rejects every write promise of that transaction with "Commit failed (see
 * commitError for details)", whose `commitError` property is a *second* promise, rejected with the
 * real error. Nobody handles that second promise unless we do, and an unhandled rejection ends the
 * process. Every write of the embedded stores therefore goes through `commit` (or `sync` for the
 * synchronous ones), which:
 *   - handles `commitError` (always, even when its cause is not needed),
 *   - turns the failure into a StorageUnavailableError whose reason names the error and DATA_DIR,
 *   - and reports the store failing (or, on success, working) to the shared StorageHealth.
 * Other errors (a transaction callback that threw, e.g. a wrong expected revision) pass unchanged.
 *
 * lmdb-js 3.x also rejects a commit promise that nothing holds: with event-turn batching (its
 * default, which the event store relies on) the batch-start instruction of every transaction
 * creates one. `absorbOrphanCommitFailures` handles exactly those (see there).
 *
 * Known limit: if LMDB cannot write a meta page it marks the environment MDB_PANIC, and only a
 * restart recovers it. Meta pages are inside the existing file, so a full disk does not cause that
 * on filesystems that overwrite in place (ext4, xfs, tmpfs).
 */
import { constants } from 'node:os';
import type { RootDatabase } from 'lmdb';
import { StorageUnavailableError } from '../../ports/storage-unavailable';
import type { StorageHealth } from './storage-health';

const LMDB_ERRORS: Record<number, [string, string]> = {
  [-30792]: ['MDB_MAP_FULL', 'the LMDB map size limit was reached'],
  [-30795]: ['MDB_PANIC', 'the LMDB environment failed fatally (a restart is needed)'],
};
const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error (a short write, as when the disk is full)',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
};
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, code]) => [code, name]));
/**
 * The probe's key in the root database, next to the sub-databases' names: a number, so it is never
 * taken for one (the read store lists the string keys).
 */
const PROBE_KEY = -1;
/** A probe this large only succeeds when real writes (a few KiB each) have room again. */
const PROBE_VALUE = Buffer.alloc(1 << 20);

export class LmdbWriteGuard {
  constructor(
    private readonly root: RootDatabase,
    /** The store's directory, named in reasons and used as its key in the health. */
    private readonly path: string,
    private readonly health: StorageHealth,
  ) {
    absorbOrphanCommitFailures();
  }

  /** Awaits an lmdb-js write (put, remove, transaction, drop) and classifies its failure. */
  async commit<T>(write: Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write;
    } catch (error) {
      throw await this.classify(error);
    }
    this.health.succeeded(this.path);
    return result;
  }

  /** Runs a synchronous write (opening a new sub-database commits at once). */
  sync<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      const name = storageErrorName(error);
      if (name === null) throw error;
      throw this.fail(error);
    }
  }

  /**
   * A real write of PROBE_VALUE, committed and then removed (two transactions: removed in the same
   * one, its pages would never reach the disk). Its pages become free pages for real writes.
   */
  readonly probe = async (): Promise<void> => {
    await this.commit(this.root.put(PROBE_KEY, PROBE_VALUE));
    await this.commit(this.root.remove(PROBE_KEY));
  };

  private async classify(error: unknown): Promise<unknown> {
    const commitError = (error as { commitError?: unknown } | null)?.commitError;
    if (commitError instanceof Promise) return this.fail((await settledCause(commitError)) ?? error);
    if (storageErrorName(error) !== null) return this.fail(error);
    return error;
  }

  private fail(cause: unknown): StorageUnavailableError {
    const reason = describeStorageFailure(cause, this.path);
    this.health.failed(this.path, reason, this.probe);
    return new StorageUnavailableError(reason, cause);
  }
}

let absorbing = false;

/**
 * Installed once, by the first guard. A failed commit reaches its writers through their own write
 * promises (handled by `commit`); the orphan promise lmdb-js rejects with the same "Commit failed"
 * error (carrying `commitError`) is absorbed here. Any other unhandled rejection is thrown on as
 * Node's default does (it ends the process), unless another listener is there to decide.
 */
function absorbOrphanCommitFailures(): void {
  if (absorbing) return;
  absorbing = true;
  process.on('unhandledRejection', (reason) => {
    const commitError = (reason as { commitError?: unknown } | null)?.commitError;
    if (reason instanceof Error && commitError instanceof Promise) {
      commitError.catch(() => undefined);
      return;
    }
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  });
}

/**
 * lmdb-js rejects `commitError` synchronously right after rejecting the write promises, so by the
 * time this runs it has settled; the immediate only bounds the wait should that ever change.
 */
function settledCause(commitError: Promise<unknown>): Promise<unknown> {
  const cause = commitError.then(
    () => null,
    (reason: unknown) => reason,
  );
  return Promise.race([cause, new Promise<null>((resolve) => setImmediate(resolve, null))]);
}

/** The errno or LMDB name of a storage error, or null for anything else. */
export function storageErrorName(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') {
    if (LMDB_ERRORS[code]) return LMDB_ERRORS[code][0];
    const name = ERRNO_NAMES.get(code);
    return name !== undefined && name in ERRNO_TEXT ? name : null;
  }
  return typeof code === 'string' && code in ERRNO_TEXT ? code : null;
}

export function describeStorageFailure(cause: unknown, path: string): string {
  const name = storageErrorName(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  const what =
    name === null
      ? `a write failed: ${cause instanceof Error ? cause.message : String(cause)}`
      : `${typeof code === 'number' && LMDB_ERRORS[code] ? LMDB_ERRORS[code][1] : ERRNO_TEXT[name]} (${name})`;
  return `storage: ${what} in DATA_DIR ${path}; writes are refused until it is fixed, reads still work`;
}

/** The flush promise of the transaction the last queued write joined (never rejects unhandled). */
export function flushOfCurrentTransaction(root: RootDatabase): Promise<void> {
  const flushed = new Promise<void>((resolve, reject) => root.flushed.then(() => resolve(), reject));
  flushed.catch(() => undefined);
  return flushed;
}
