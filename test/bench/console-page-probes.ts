/**
 * What the console benchmark reads inside Chromium: the bytes every response put on the wire
 * (CDP Network events, encoded sizes, headers included), main-thread long tasks (the Long Tasks
 * API: every task over 50 ms), and the results heading frame by frame (a requestAnimationFrame
 * loop reading "Results: N rows from M hosts", so what is counted is what the user sees painted).
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/** Installed before any page script: long tasks and the heading's count per frame, in page time (ms). */
const PAGE_PROBES = `(() => {
  const w = window;
  w.__longTasks = [];
  w.__heading = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) { w.__longTasks = null; }
  let last = -1;
  const tick = () => {
    for (const h of document.querySelectorAll('h2')) {
      const match = /^Results: (\\d+) rows from (\\d+) hosts/.exec(h.textContent || '');
      if (match && Number(match[1]) !== last) {
        last = Number(match[1]);
        w.__heading.push({ at: performance.now(), rows: last, hosts: Number(match[2]) });
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

export interface LongTask {
  start: number;
  duration: number;
}

export interface HeadingSample {
  at: number;
  rows: number;
  hosts: number;
}

export async function installProbes(context: BrowserContext): Promise<void> {
  await context.addInitScript(PAGE_PROBES);
}

export async function longTasks(page: Page): Promise<LongTask[]> {
  const tasks = await page.evaluate(() => (globalThis as any).__longTasks as LongTask[] | null);
  if (tasks === null) throw new Error('this Chromium does not report long tasks (PerformanceObserver "longtask")');
  return tasks;
}

export async function headingSamples(page: Page): Promise<HeadingSample[]> {
  return page.evaluate(() => (globalThis as any).__heading as HeadingSample[]);
}

/** Sums the encoded bytes of every response the page receives while `run` runs (the cache off). */
export async function transferredBytes(page: Page, run: () => Promise<void>): Promise<{ bytes: number; responses: number }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  let responses = 0;
  cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
    bytes += event.encodedDataLength;
    responses++;
  });
  try {
    await run();
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  return { bytes, responses };
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { functionName?: string; url?: string; type?: string } };
}

/**
 * Where the page's long tasks go, from a Chromium trace (CONSOLE_BENCH_TRACE=1): for every
 * top-level task over `overMs`, its duration and the trace events inside it, summed by name
 * (event dispatch, function calls, style, layout, paint, GC...). Tracing itself slows the page.
 */
export async function traceLongTasks(page: Page, overMs: number): Promise<() => Promise<string[]>> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (data: any) => events.push(...(data.value as TraceEvent[])));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'toplevel', 'blink'] },
  } as any);
  return async () => {
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach().catch(() => undefined);
    const lines: string[] = [];
    const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && (e.dur ?? 0) > overMs * 1000);
    for (const task of tasks) {
      const inside = events.filter((e) => e.ph === 'X' && e.pid === task.pid && e.tid === task.tid && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur!);
      const byName = new Map<string, { ms: number; count: number }>();
      for (const e of inside) {
        const detail = e.args?.data?.type ?? e.args?.data?.functionName ?? '';
        const key = detail ? `${e.name}(${detail})` : e.name;
        const entry = byName.get(key) ?? { ms: 0, count: 0 };
        entry.ms += (e.dur ?? 0) / 1000;
        entry.count++;
        byName.set(key, entry);
      }
      const top = [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8).map(([name, { ms, count }]) => `${name} ${ms.toFixed(0)} ms ×${count}`);
      lines.push(`task of ${(task.dur! / 1000).toFixed(0)} ms: ${top.join('; ')}`);
    }
    return lines;
  };
}
