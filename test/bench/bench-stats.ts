/** Small helpers for benchmarks: percentiles, a fixed-width table, a process's CPU and memory. */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process used so far, and its RSS, from /proc. */
export function processUsage(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { cpuSeconds, rssMb: rssKb / 1024 };
}

/** A process's resident memory split as the kernel counts it (MB): anonymous (heap, malloc), file-backed (binary, mapped LMDB pages), shared. */
export function memoryBreakdown(pid: number): { rssMb: number; anonMb: number; fileMb: number; shmemMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return { rssMb: kb('VmRSS'), anonMb: kb('RssAnon'), fileMb: kb('RssFile'), shmemMb: kb('RssShmem') };
}

/** The pid of the first process whose command line contains `fragment`, if any. */
export function findProcess(fragment: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(fragment)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)];
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

/** Runs `task(i)` for i in [0, total) with `concurrency` workers; returns elapsed ms. */
export async function runConcurrently(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < total; index = next++) await task(index);
    }),
  );
  return performance.now() - started;
}

export function printTable(rows: Array<Record<string, string | number>>): void {
  const columns = Object.keys(rows[0]);
  const cell = (value: string | number) => (typeof value === 'number' ? value.toFixed(value >= 100 ? 0 : 2) : value);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(cell(row[column])).length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index])).join('  ');
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((column) => String(cell(row[column])))));
}
