/**
 * An append-only JSON-lines file with size-based rotation, as Fleet's filesystem logging plugin
 * (osquery_result_log_file, osquery_status_log_file) keeps one: `append` resolves only once the
 * lines are on disk (written and fdatasync'd), so the osquery `log` endpoint answers 200 only for
 * lines that survive a crash.
 *
 * Invariants:
 * - Appends are written in call order; appends that arrive while a write is in flight are written
 *   together in the next one (one fdatasync for all), each resolving once that write is durable.
 * - A write the disk refuses leaves the file as it was: it is truncated back to its size before
 *   the write, so no half line stays behind, and the appends of that write reject with a
 *   StorageUnavailableError (the host gets a 503 and sends the same lines again). Nothing that was
 *   acknowledged is lost, and nothing refused is in the file.
 * - Before a write that would take the file past `maxBytes` (when it is not empty), the file is
 *   rotated: file.N-1 → file.N ... file → file.1, the oldest beyond `maxBackups` deleted (with 0
 *   backups the full file is deleted). A file therefore exceeds `maxBytes` only by holding one write
 *   larger than that.
 */
import { mkdirSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StorageUnavailableError } from '../../../shared/ports/storage-unavailable';
import type { StorageHealth } from '../../../shared/adapters/storage/storage-health';

const REFUSALS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
};

interface PendingAppend {
  data: Buffer;
  resolve(): void;
  reject(error: unknown): void;
}

export interface JsonLinesFileOptions {
  maxBytes: number;
  maxBackups: number;
  /** Told when a write is refused (and when writes work again), as the embedded stores do. */
  health?: StorageHealth;
}

export class JsonLinesFile {
  private handle: FileHandle | null = null;
  private size = 0;
  private pending: PendingAppend[] = [];
  private writing: Promise<void> | null = null;
  private closed = false;
  /** Writes and health probes take turns on the file. */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly options: JsonLinesFileOptions,
  ) {}

  static async open(path: string, options: JsonLinesFileOptions): Promise<JsonLinesFile> {
    mkdirSync(dirname(path), { recursive: true });
    const file = new JsonLinesFile(path, options);
    await file.reopen();
    return file;
  }

  /** Appends one line per value (JSON, newline-terminated); resolves once they are durable. */
  append(lines: string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`log file ${this.path} is closed`));
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ data: Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'), resolve, reject });
      this.writing ??= this.writeAll();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    this.options.health?.forget(this.path);
    await this.handle?.close();
    this.handle = null;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const data = batch.length === 1 ? batch[0].data : Buffer.concat(batch.map((append) => append.data));
      try {
        await this.exclusive(() => this.writeDurably(data));
        for (const append of batch) append.resolve();
      } catch (error) {
        for (const append of batch) append.reject(error);
      }
    }
    this.writing = null;
  }

  private async writeDurably(data: Buffer): Promise<void> {
    try {
      if (this.size > 0 && this.size + data.length > this.options.maxBytes) await this.rotate();
      const handle = this.handle ?? (await this.reopen());
      const before = this.size;
      try {
        await writeFully(handle, data, before);
        await handle.datasync();
      } catch (error) {
        await handle.truncate(before).catch(() => undefined);
        throw error;
      }
      this.size = before + data.length;
      this.options.health?.succeeded(this.path);
    } catch (error) {
      throw this.classify(error);
    }
  }

  private async reopen(): Promise<FileHandle> {
    const handle = await open(this.path, 'a+');
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    const { maxBackups } = this.options;
    if (maxBackups === 0) {
      await rm(this.path, { force: true });
    } else {
      await rm(`${this.path}.${maxBackups}`, { force: true });
      for (let n = maxBackups - 1; n >= 1; n--) await renameIfPresent(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      await rename(this.path, `${this.path}.1`);
    }
    await this.reopen();
  }

  private classify(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException).code;
    const text = code === undefined ? undefined : REFUSALS[code];
    if (text === undefined) return error;
    const reason = `storage: ${text} (${code}) writing the osquery log file ${this.path}`;
    this.options.health?.failed(this.path, reason, () => this.probe());
    return new StorageUnavailableError(reason, error);
  }

  /** Whether a write of some size fits again (for the health): written, synced, then taken back. */
  private probe(): Promise<void> {
    return this.exclusive(() => this.probeOnce());
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async probeOnce(): Promise<void> {
    if (this.closed) return;
    const handle = this.handle ?? (await this.reopen());
    const before = this.size;
    try {
      await writeFully(handle, Buffer.alloc(64 * 1024, 0x0a), before);
      await handle.datasync();
      this.options.health?.succeeded(this.path);
    } finally {
      await handle.truncate(before).catch(() => undefined);
    }
  }
}

/** Writes every byte at `position` (a short write continues where it stopped). */
async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
    if (bytesWritten === 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await stat(from);
  } catch {
    return;
  }
  await rename(from, to);
}
