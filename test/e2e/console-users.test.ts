/**
 * The console's Users view end to end, in headless Chromium against a started Logbook, by roles,
 * labels and visible text: an admin changes an observer to maintainer with the row's role
 * control, the row shows the new role, the activity feed lists the change, and the observer
 * (now maintainer) gets the new role on their next request; an observer sees no Users view.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { consoleInChromium } from '../support/console-in-chromium';
import { signIn, signOut } from '../support/console-page';
import { ADMIN, createUser, FleetClient, setUpAdmin } from '../support/fleet-client';

const PASSWORD = 'another-secret-9$';
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

describe('operator console: users and their roles (headless Chromium)', function () {
  this.timeout(120_000);
  const ui = consoleInChromium();
  let page: Page;
  let admin: FleetClient;

  before(async () => {
    admin = await setUpAdmin(ui.logbook.url);
    page = await ui.open();
  });

  it('an admin changes an observer to maintainer: the row shows it, the activity feed lists it', async () => {
    const email = 'olive-observer@example.com';
    const olive = await createUser(admin, 'observer', email);
    await signIn(page, ADMIN.email, ADMIN.password);
    await nav(page, 'Users').click();
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: email });
    await row.getByRole('cell', { name: 'observer', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: `Save the role of ${email}` }).isDisabled(), true, 'nothing to save yet');
    await page.getByRole('combobox', { name: `Role of ${email}`, exact: true }).selectOption('maintainer');
    await page.getByRole('button', { name: `Save the role of ${email}` }).click();
    await page.getByRole('status').filter({ hasText: `${email} is now maintainer.` }).waitFor();
    await row.getByRole('cell', { name: 'maintainer', exact: true }).waitFor();
    assert.equal(((await olive.get('/api/v1/fleet/me')).body.user as { global_role: string }).global_role, 'maintainer', "the user's next request has the new role");

    await nav(page, 'Activity').click();
    const entry = page.getByRole('list', { name: 'Activities' }).getByRole('listitem').filter({ hasText: 'changed_user_global_role' });
    await entry.filter({ hasText: email }).filter({ hasText: '"role":"maintainer"' }).waitFor({ timeout: 15_000 });
  });

  it('refuses to demote the last admin and says why', async () => {
    await nav(page, 'Users').click();
    await page.getByRole('combobox', { name: `Role of ${ADMIN.email}`, exact: true }).selectOption('observer');
    await page.getByRole('button', { name: `Save the role of ${ADMIN.email}` }).click();
    await page.getByRole('alert').filter({ hasText: 'the last admin cannot be demoted' }).waitFor();
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: ADMIN.email });
    await row.getByRole('cell', { name: 'admin', exact: true }).waitFor();
  });

  it('shows an observer no Users view', async () => {
    const email = 'oscar-observer@example.com';
    await createUser(admin, 'observer', email);
    await signOut(page);
    await signIn(page, email, PASSWORD);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count(), 0);
    await page.goto(`${ui.logbook.url}/users`);
    await page.getByRole('alert').filter({ hasText: 'only admins can list users' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: /^Role of / }).count(), 0);
  });
});
