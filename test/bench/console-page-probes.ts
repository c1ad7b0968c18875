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
