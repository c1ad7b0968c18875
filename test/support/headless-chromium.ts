/**
 * Debian's Chromium driven by playwright-core, for end-to-end tests of pages Logbook serves.
 * CI installs it with `apt-get update && apt-get install -y chromium`; where it is missing the
 * tests that need it skip with a message saying so.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_MISSING = `${CHROMIUM_PATH} is missing: install it with "apt-get update && apt-get install -y chromium" to run the browser tests`;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A fresh browser profile each time; close() also removes it. */
export async function launchChromium(): Promise<BrowserContext> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'logbook-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1100, height: 700 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = context.close.bind(context);
  context.close = async (options) => {
    await close(options);
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
  };
  return context;
}
