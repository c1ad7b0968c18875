/**
 * Preloaded into a measured process (`node -r dist/test/bench/memory-probe.js ...`, with
 * MEMORY_PROBE_FILE set): on SIGUSR2 it writes the process's own view of its memory (heap used
 * and held per V8 space, external and array buffers) to that file as one JSON object, after a
 * full GC when the process runs with --expose-gc, so live data and garbage can be told apart.
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.MEMORY_PROBE_FILE;
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

if (file) {
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const after = process.memoryUsage();
    writeFileSync(
      file,
      JSON.stringify({
        before: Object.fromEntries(Object.entries(before).map(([key, value]) => [key, mb(value)])),
        afterGc: gc ? Object.fromEntries(Object.entries(after).map(([key, value]) => [key, mb(value)])) : null,
        spaces: getHeapSpaceStatistics().map((space) => ({ space: space.space_name, usedMb: mb(space.space_used_size), heldMb: mb(space.space_size) })),
      }),
    );
  });
}
