/**
 * A memory limit for one measured process, through a cgroup of its own: the box of a given size
 * that a memory figure claims, enforced by the kernel rather than read off RSS. RSS counts the
 * clean file-backed pages of LMDB's maps that a process has touched (the kernel drops them first
 * when memory is short); under a limit they are reclaimed, and what the process cannot do without
 * shows as reclaim, slower answers or an OOM kill.
 *
 * cgroup v1 (`/sys/fs/cgroup/memory`) and v2 (`/sys/fs/cgroup` with the memory controller) are
 * supported; it needs the right to create a cgroup (root here). The limit counts the process's
 * anonymous memory and the page cache charged to it, swap included where the kernel accounts it.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryLimit {
  limitMb: number;
  /** Highest charge seen (v1: max_usage_in_bytes; v2: memory.peak where the kernel has it). */
  peakMb(): number | undefined;
  /** The charge now. */
  usageMb(): number;
  /** Charges refused at the limit (v1 failcnt; v2 `max` events: the usage reached the limit), and OOM kills in the group. */
  pressure(): { limitHits: number; oomKills: number };
  /** Removes the group, once the process has exited. */
  remove(): void;
}

const MB = 1024 * 1024;
const V1 = '/sys/fs/cgroup/memory';
const V2 = '/sys/fs/cgroup';

const readNumber = (file: string): number => Number(readFileSync(file, 'utf8').trim());
const keyedValue = (file: string, key: string): number => {
  const line = readFileSync(file, 'utf8').split('\n').find((entry) => entry.startsWith(`${key} `));
  return line ? Number(line.split(' ')[1]) : 0;
};

/** This process's own cgroup in `hierarchy` (v1: the `memory` line of /proc/self/cgroup; v2: the `0::` line). */
function ownGroup(root: string, v1: boolean): string {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const line = lines.find((entry) => (v1 ? /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(entry) : entry.startsWith('0::')));
  if (!line) throw new Error('this process is in no memory cgroup');
  return join(root, line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
}

/**
 * Starts what `start` starts inside a new cgroup limited to `limitMb`: this process joins the
 * group, `start` spawns (children inherit the group), and this process goes back to its own. So
 * the group is charged with everything the child allocates from its first page (charges do not
 * follow a process that moves, on kernels without v1's deprecated move_charge_at_immigrate), and
 * with what this process allocates while `start` runs (a few MB of waiting for the child).
 * Throws when this machine does not allow it.
 */
export async function startWithMemoryLimit<T>(limitMb: number, start: () => Promise<T>, name = `logbook-bench-${process.pid}`): Promise<{ started: T; limit: MemoryLimit }> {
  if (!Number.isInteger(limitMb) || limitMb < 64) throw new RangeError('a memory limit of at least 64 MB');
  const bytes = String(limitMb * MB);
  const v1 = existsSync(join(V1, 'memory.limit_in_bytes'));
  if (!v1 && !(existsSync(join(V2, 'cgroup.controllers')) && readFileSync(join(V2, 'cgroup.controllers'), 'utf8').includes('memory'))) {
    throw new Error('no writable memory cgroup on this machine (cgroup v1 memory or v2 with the memory controller)');
  }
  const root = v1 ? V1 : V2;
  const home = ownGroup(root, v1);
  const dir = join(root, name);
  mkdirSync(dir);
  let limit: MemoryLimit;
  if (v1) {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), bytes);
    limit = {
      limitMb,
      peakMb: () => readNumber(join(dir, 'memory.max_usage_in_bytes')) / MB,
      usageMb: () => readNumber(join(dir, 'memory.usage_in_bytes')) / MB,
      pressure: () => ({ limitHits: readNumber(join(dir, 'memory.failcnt')), oomKills: keyedValue(join(dir, 'memory.oom_control'), 'oom_kill') }),
      remove: () => rmdirSync(dir),
    };
  } else {
    writeFileSync(join(dir, 'memory.max'), bytes);
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    limit = {
      limitMb,
      peakMb: () => (existsSync(join(dir, 'memory.peak')) ? readNumber(join(dir, 'memory.peak')) / MB : undefined),
      usageMb: () => readNumber(join(dir, 'memory.current')) / MB,
      pressure: () => ({ limitHits: keyedValue(join(dir, 'memory.events'), 'max'), oomKills: keyedValue(join(dir, 'memory.events'), 'oom_kill') }),
      remove: () => rmdirSync(dir),
    };
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
  try {
    return { started: await start(), limit };
  } finally {
    writeFileSync(join(home, 'cgroup.procs'), String(process.pid));
  }
}
