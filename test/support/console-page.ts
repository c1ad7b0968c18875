/**
 * Driving the operator console in Chromium the way a user does: by roles, labels and visible
 * text. Also: a page that fails the test on any dialog (an alert() would mean injected script
 * ran) or page error, and screenshots of the main views (into CONSOLE_SCREENSHOTS_DIR when set,
 * e.g. `docs` to refresh the README's pictures; else into the test's data dir).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export interface WatchedPage {
  page: Page;
  /** Dialogs opened and uncaught page errors: both must stay empty. */
  problems: string[];
}

export async function openConsole(browser: BrowserContext, url: string): Promise<WatchedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** Goes to a console path by the navigation a user would click, or by address for deep links. */
export async function go(page: Page, base: string, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
}

/**
 * Replaces the text of the CodeMirror editor with this accessible name. `keys` types it key by
 * key, as a user does (single-line text: the editor's auto-indent and bracket closing act on
 * typed newlines and brackets); `paste` puts it in as one input, as a paste does, and leaves it
 * as written.
 */
export async function typeInEditor(page: Page, name: string, text: string, how: 'keys' | 'paste' = 'paste'): Promise<void> {
  const editor = page.getByRole('textbox', { name });
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  if (how === 'keys') await page.keyboard.type(text);
  else await page.keyboard.insertText(text);
}

export function screenshotDir(fallback: string): string {
  const dir = process.env.CONSOLE_SCREENSHOTS_DIR ? resolve(process.env.CONSOLE_SCREENSHOTS_DIR) : join(fallback, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `console-${name}.png`) });
}
