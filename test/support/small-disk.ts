/**
 * A small tmpfs to run Logbook on a disk that fills up for real (ENOSPC from the kernel, no
 * fault injection). Mounting needs root (CI runs as root); `mountSmallDisk` answers null where the
 * kernel refuses, so the caller can skip. `fill` writes a filler file until the disk refuses one
 * more byte; `free` deletes it. Every loop is bounded by the disk's size.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  fill(): void;
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMiB: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        for (const chunk of [1 << 20, 4096, 1]) writeUntilFull(fd, Buffer.alloc(chunk, 1), Math.ceil(((sizeMiB + 1) << 20) / chunk));
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); // still busy: detach now, freed once closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeUntilFull(fd: number, chunk: Buffer, maxWrites: number): void {
  for (let i = 0; i < maxWrites; i++) {
    try {
      if (writeSync(fd, chunk) < chunk.length) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
  throw new Error(`the disk took ${maxWrites} writes of ${chunk.length} bytes without filling up`);
}
