/**
 * One started Logbook and one headless Chromium for a describe block of console tests, with the
 * hooks every such block needs: skipped (with the install hint) where Chromium is missing, both
 * stopped after the block, and after each test the watched page's problems (dialogs, page errors,
 * CSP refusals) must be empty; a failed test leaves its page's screenshot in Logbook's data dir.
 *
 * Call it at the top of the describe: its `before` runs ahead of the block's own hooks, so they
 * can use `logbook` and `browser`.
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { openConsole, type WatchedPage } from './console-page';
import { CHROMIUM_MISSING, chromiumAvailable, launchChromium } from './headless-chromium';
import { startLogbook, type LogbookProcess } from './logbook-process';

export interface ConsoleInChromium {
  logbook: LogbookProcess;
  browser: BrowserContext;
  /** The page the last open() opened: the one checked after each test. */
  watched: WatchedPage | undefined;
  /** Opens a watched page at a path of Logbook's origin ('/' by default). */
  open(path?: string): Promise<Page>;
}

export function consoleInChromium(): ConsoleInChromium {
  const fixture: ConsoleInChromium = {
    logbook: undefined as unknown as LogbookProcess,
    browser: undefined as unknown as BrowserContext,
    watched: undefined,
    async open(path = '/') {
      fixture.watched = await openConsole(fixture.browser, `${fixture.logbook.url}${path}`);
      return fixture.watched.page;
    },
  };

  before(async function () {
    if (!chromiumAvailable()) {
      console.warn(`      skipped: ${CHROMIUM_MISSING}`);
      this.skip();
    }
    fixture.logbook = await startLogbook();
    fixture.browser = await launchChromium();
  });

  after(async () => {
    await fixture.browser?.close();
    await fixture.logbook?.stop();
  });

  afterEach(async function () {
    const page = fixture.watched?.page;
    const title = this.currentTest?.title ?? 'test';
    if (this.currentTest?.state === 'failed' && page && !page.isClosed()) {
      await page.screenshot({ path: `${fixture.logbook.dataDir}/failed-${title.slice(0, 40).replace(/\W+/g, '-')}.png`, timeout: 5_000 }).catch(() => undefined);
    }
    assert.deepEqual(fixture.watched?.problems ?? [], []);
  });

  return fixture;
}
