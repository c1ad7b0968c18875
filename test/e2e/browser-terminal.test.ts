/**
 * The browser terminal end to end, in headless Chromium: an admin signs in to the console, goes to
 * the old address /console/ (which redirects to the Shells view), picks a host whose (simulated)
 * launcher polls, types a command and sees its output, resizes the window and sees the shell's
 * terminal size follow, then closes the shell, which is recorded.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startLauncherSimulator, type LauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import { ADMIN, setUpAdmin, type FleetClient } from '../support/fleet-client';
import { consoleInChromium } from '../support/console-in-chromium';
import { applyEnrollSecret, ENROLL_SECRET } from '../support/shell-client';

/** The terminal's text as xterm.js holds it (the page exposes its Terminal as window.logbookConsole.term). */
function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const term = (globalThis as any).logbookConsole.term;
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join('\n');
  });
}

async function waitForTerminal(page: Page, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = pattern.exec(await terminalText(page));
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`terminal never showed ${what}:\n${await terminalText(page)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('browser terminal (headless Chromium)', function () {
  this.timeout(90_000);
  const ui = consoleInChromium();
  let admin: FleetClient;
  let simulator: LauncherSimulator;

  before(async () => {
    admin = await setUpAdmin(ui.logbook.url);
    await applyEnrollSecret(admin);
    simulator = await startLauncherSimulator({ url: ui.logbook.url, enrollSecret: ENROLL_SECRET, hostname: 'browser-host', pollIntervalMs: 200, shell: '/bin/bash' });
  });

  after(async () => {
    await simulator?.stop();
  });

  it('gives an admin a working shell: type, see output, resize, close', async () => {
    const page = await ui.open('/console/');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(new URL(page.url()).pathname, '/shells');
    const openButton = page.getByRole('button', { name: 'Open a shell on browser-host' });
    await openButton.waitFor({ timeout: 15_000 });
    await openButton.click();

    const status = page.getByRole('status', { name: 'Shell status' });
    await status.filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
    await page.keyboard.type('echo "browser=$((6*7))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /^browser=42$/m, 'the command output');

    await page.setViewportSize({ width: 640, height: 420 });
    const size = await page.waitForFunction(() => {
      const term = (globalThis as any).logbookConsole.term;
      return term.cols < 80 ? { cols: term.cols, rows: term.rows } : null;
    });
    const { cols, rows } = (await size.jsonValue()) as { cols: number; rows: number };
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, new RegExp(`^${rows} ${cols}$`, 'm'), `stty size "${rows} ${cols}"`);
    await page.screenshot({ path: process.env.BROWSER_SCREENSHOT ?? `${ui.logbook.dataDir}/browser-terminal.png` });

    await page.getByRole('button', { name: 'Close shell' }).click();
    await status.filter({ hasText: /^closed: / }).waitFor();
    assert.match(await status.innerText(), /closed: operator closed the shell \(1000\)/);

    const deadline = Date.now() + 10_000;
    let shell: any;
    do {
      shell = ((await admin.get('/api/v1/fleet/shells')).body.shells as any[])[0];
      if (shell?.status === 'closed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    assert.equal(shell.status, 'closed');
    assert.equal(shell.hostname, 'browser-host');
    assert.equal(shell.close_reason, 'the operator closed the shell');
    assert.ok(shell.bytes_to_launcher > 0 && shell.bytes_from_launcher > 0);
  });
});
