/**
 * What every store adapter raises when the storage itself refuses a write (disk full, quota,
 * I/O error): the write was not made (nothing of it is visible), the store stays usable for
 * reads, and the same write may succeed later. Callers answer it as 503 (a DomainError of kind
 * 'unavailable', so the operator API's Fleet error handler maps it) or retry it later; they never
 * treat it as a bug.
 */
import { DomainError } from '../domain/errors';

export class StorageUnavailableError extends DomainError {
  constructor(
    /** Why, for people: e.g. "storage: no space left on device (ENOSPC) in DATA_DIR /data/events ...". */
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super('unavailable', reason, [{ name: 'base', reason }]);
    this.name = 'StorageUnavailableError';
  }
}

export function isStorageUnavailable(error: unknown): error is StorageUnavailableError {
  return error instanceof StorageUnavailableError;
}
