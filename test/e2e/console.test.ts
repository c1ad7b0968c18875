/**
 * The operator console end to end, in headless Chromium, against a started Logbook with simulated
 * hosts: one flow per view, by roles, labels and visible text. Every page fails the test if a
 * dialog opens (injected script ran), a script error escapes or the CSP refuses something.
 * Screenshots of the main views go to CONSOLE_SCREENSHOTS_DIR (`docs` refreshes the README's).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startHostSimulator, type HostSimulator } from '../../services/host-simulator';
import { startLauncherSimulator, type LauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import { consoleInChromium } from '../support/console-in-chromium';
import { screenshot, screenshotDir, signIn, signOut, typeInEditor } from '../support/console-page';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { ADMIN, createUser, FleetClient } from '../support/fleet-client';

const SECRET = 'console-e2e-secret';
const XSS = '<img src=x onerror=alert(1)>';
const UBUNTU_HOSTS = 5;

/** A link of the console's main navigation. */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

describe('operator console (headless Chromium)', function () {
  this.timeout(120_000);
  const ui = consoleInChromium();
  let page: Page;
  let shots: string;

  before(() => {
    shots = screenshotDir(ui.logbook.dataDir);
  });

  it('sets up the first admin from the browser', async () => {
    page = await ui.open();
    await page.getByRole('heading', { name: 'Set up Logbook' }).waitFor();
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Organization').fill('Example Org');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText(`${ADMIN.email} (admin)`).waitFor();
  });

  describe('signed in, with simulated hosts', () => {
    let admin: FleetClient;
    let hosts: HostSimulator;
    let launcher: LauncherSimulator;
    let ubuntuLabelId: number;
    let hostnames: string[];

    before(async () => {
      const login = await new FleetClient(ui.logbook.url).post('/api/v1/fleet/login', { email: ADMIN.email, password: ADMIN.password });
      admin = new FleetClient(ui.logbook.url, login.body.token);
      await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
      await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'Has root', query: "SELECT 1 FROM users WHERE username = 'root'" }] });
      hosts = await startHostSimulator({ url: ui.logbook.url, enrollSecret: SECRET, hosts: UBUNTU_HOSTS, seed: 'console-e2e', platformMix: { ubuntu: 1, darwin: 0, centos: 0, windows: 0 }, distributedIntervalSec: 1, accelerateIntervalSec: 1, configRefreshSec: 1, loggerTlsPeriodSec: 1 });
      await hosts.ready;
      launcher = await startLauncherSimulator({ url: ui.logbook.url, enrollSecret: SECRET, hostname: 'console-shell-host', pollIntervalMs: 200, shell: '/bin/bash' });
      const labels = (await admin.post('/api/v1/fleet/targets', { query: 'Ubuntu' })).body.targets.labels as Array<{ id: number; name: string }>;
      ubuntuLabelId = labels.find((label) => label.name === 'Ubuntu Linux')!.id;
      hostnames = await eventually(async () => {
        const listed = (await admin.get(`/api/v1/fleet/hosts?label_id=${ubuntuLabelId}&status=online`)).body.hosts as Array<{ hostname: string }>;
        assert.equal(listed.length, UBUNTU_HOSTS);
        return listed.map((host) => host.hostname);
      }, 30_000);
    });

    after(async () => {
      await launcher?.stop();
      await hosts?.stop();
    });

    it('runs a live query on a label and sees every host\u2019s rows arrive', async () => {
      await nav(page, 'Live query').click();
      await page.getByLabel('Search labels, teams and hosts').fill('Ubuntu');
      await page.getByRole('button', { name: 'Add label Ubuntu Linux' }).click();
      await page.getByRole('status', { name: 'Target counts' }).filter({ hasText: `${UBUNTU_HOSTS} hosts targeted: ${UBUNTU_HOSTS} online` }).waitFor();
      // Key by key: typing once hung the page (the editor and the view chased each other's text).
      await typeInEditor(page, 'SQL', 'SELECT version, build_platform FROM osquery_info;', 'keys');
      await screenshot(page, shots, 'live-query');
      await page.getByRole('button', { name: 'Run query' }).click();
      await page.getByRole('heading', { name: /^Campaign \d+$/ }).waitFor();
      const progress = page.getByRole('status', { name: 'Campaign progress' });
      await progress.filter({ hasText: `${UBUNTU_HOSTS} answered of ${UBUNTU_HOSTS} online of ${UBUNTU_HOSTS} targeted` }).waitFor({ timeout: 30_000 });
      await page.getByRole('heading', { name: `Results: ${UBUNTU_HOSTS} rows from ${UBUNTU_HOSTS} hosts` }).waitFor();
      const results = page.getByRole('table', { name: 'Results' });
      for (const hostname of hostnames) await results.getByRole('cell', { name: hostname, exact: true }).waitFor();
      assert.ok(await results.getByRole('columnheader', { name: 'build_platform' }).isVisible());
      await progress.filter({ hasText: 'finished' }).waitFor({ timeout: 30_000 });
      await screenshot(page, shots, 'campaign');
    });

    it('loses nothing when the page is closed mid-campaign: reopening shows every result', async () => {
      await nav(page, 'Live query').click();
      await page.getByRole('button', { name: 'Add label Ubuntu Linux' }).click();
      await typeInEditor(page, 'SQL', 'SELECT username FROM users;');
      await page.getByRole('button', { name: 'Run query' }).click();
      await page.getByRole('heading', { name: /^Campaign \d+$/ }).waitFor();
      const address = page.url();
      const id = Number(new URL(address).pathname.split('/').pop());
      await page.close();
      const expected = await eventually(async () => {
        const campaign = (await admin.get(`/api/v1/fleet/campaigns/${id}`)).body.campaign;
        assert.equal(campaign.actual_results, UBUNTU_HOSTS);
        return (await admin.get(`/api/v1/fleet/campaigns/${id}/results?per_page=10000`)).body;
      }, 30_000);
      const rowCount = JSON.stringify(expected).match(/"username"/g)?.length ?? 0;
      assert.ok(rowCount >= UBUNTU_HOSTS, `expected rows, got ${JSON.stringify(expected).slice(0, 300)}`);

      page = await ui.open(new URL(address).pathname);
      await page.getByRole('heading', { name: `Results: ${rowCount} rows from ${UBUNTU_HOSTS} hosts` }).waitFor({ timeout: 30_000 });
      await page.getByRole('status', { name: 'Campaign progress' }).filter({ hasText: `${UBUNTU_HOSTS} answered of ${UBUNTU_HOSTS} online` }).waitFor();
      await nav(page, 'Campaigns').click();
      await page.getByRole('table', { name: 'Past campaigns' }).getByRole('link', { name: `Campaign ${id}` }).waitFor();
    });

    it('applies a query spec twice and shows the field diff in its history; a bad YAML applies nothing', async () => {
      await page.goto(`${ui.logbook.url}/specs/queries/new`);
      await typeInEditor(page, 'Spec YAML', 'apiVersion: v1\nkind: query\nspec:\n  name: console-e2e\n  description: first\n  query: SELECT 1;\n');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await page.getByRole('heading', { name: 'console-e2e' }).waitFor();
      await page.getByRole('cell', { name: 'Version 1', exact: true }).waitFor();
      await typeInEditor(page, 'Spec YAML', 'apiVersion: v1\nkind: query\nspec:\n  name: console-e2e\n  description: second\n  query: SELECT 2;\n');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await page.getByRole('cell', { name: 'Version 2', exact: true }).waitFor();
      const diff = page.getByRole('table', { name: 'Field diff' });
      await diff.getByRole('row').filter({ hasText: 'query' }).filter({ hasText: 'SELECT 1;' }).filter({ hasText: 'SELECT 2;' }).waitFor();
      await diff.getByRole('row').filter({ hasText: 'description' }).filter({ hasText: 'first' }).filter({ hasText: 'second' }).waitFor();
      await screenshot(page, shots, 'spec-history');

      await typeInEditor(page, 'Spec YAML', 'apiVersion: v1\nkind: query\nspec: [not closed\n');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Nothing applied: YAML does not parse' }).waitFor();
      await typeInEditor(page, 'Spec YAML', 'apiVersion: v1\nkind: query\nspec:\n  name: console-e2e\n');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: /^Nothing applied: .*query/ }).waitFor();
      const history = (await admin.get('/api/v1/fleet/spec/queries/console-e2e/history')).body.history as unknown[];
      assert.equal(history.length, 2);

      await page.getByRole('button', { name: 'Re-apply version 1' }).click();
      await page.getByRole('cell', { name: 'Version 3', exact: true }).waitFor();
      assert.equal((await admin.get('/api/v1/fleet/spec/queries/console-e2e')).body.specs.description, 'first');
    });

    it('searches the host list and opens a host', async () => {
      await nav(page, 'Hosts').click();
      await page.getByRole('table', { name: 'Hosts' }).getByRole('row').nth(UBUNTU_HOSTS).waitFor();
      await screenshot(page, shots, 'hosts');
      await page.getByLabel('Search hosts').fill(hostnames[0]);
      await page.getByRole('status', { name: 'Host count' }).filter({ hasText: /^1 hosts/ }).waitFor();
      await page.getByRole('link', { name: hostnames[0], exact: true }).click();
      await page.getByRole('heading', { name: hostnames[0] }).waitFor();
      await page.getByRole('term').filter({ hasText: 'Platform' }).waitFor();
      await page.getByRole('table', { name: 'Policies' }).getByRole('cell', { name: 'Has root' }).waitFor();
      await page.getByRole('table', { name: 'Recent campaigns' }).getByRole('link').first().waitFor();
      await screenshot(page, shots, 'host');
    });

    it('shows a new activity as it happens', async () => {
      await nav(page, 'Activity').click();
      await page.getByRole('list', { name: 'Activities' }).waitFor();
      await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: 'arrives-live', query: 'SELECT 42;' }] });
      await page.getByRole('listitem').filter({ hasText: 'arrives-live' }).waitFor({ timeout: 15_000 });
      await screenshot(page, shots, 'activity');
    });

    it('opens a shell from a host\u2019s page and runs a command', async () => {
      const shellHost = await eventually(async () => {
        const listed = (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>;
        const found = listed.find((host) => host.hostname === 'console-shell-host');
        assert.ok(found);
        return found;
      });
      await page.goto(`${ui.logbook.url}/hosts/${shellHost.host_id}`);
      await page.getByRole('button', { name: 'Open a shell' }).click();
      const status = page.getByRole('status', { name: 'Shell status' });
      await status.filter({ hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
      await page.keyboard.type('echo "console=$((6*7))"');
      await page.keyboard.press('Enter');
      await page.locator('.xterm-rows').getByText(/^console=42\s*$/).waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Close shell' }).click();
      await status.filter({ hasText: /^closed: / }).waitFor();
      await nav(page, 'Shells').click();
      await page.getByRole('table', { name: 'Shell sessions' }).getByRole('row').filter({ hasText: 'console-shell-host' }).filter({ hasText: ADMIN.email }).waitFor();
      await screenshot(page, shots, 'shells');
    });

    it('shows HTML in a hostname, a spec name, a result and an activity as text, never as markup', async () => {
      const fake = new FakeOsqueryHost(ui.logbook.url, XSS, 'darwin');
      assert.equal((await fake.enroll(SECRET)).status, 200);
      await fake.answerLikeARealHost();
      const fakeId = await eventually(async () => {
        const found = (await admin.get(`/api/v1/fleet/hosts?query=${encodeURIComponent('onerror')}`)).body.hosts as Array<{ id: number; hostname: string }>;
        assert.equal(found[0]?.hostname, XSS);
        return found[0].id;
      });
      const specName = '<script>alert(3)</script>';
      await admin.post('/api/v1/fleet/spec/queries', { specs: [{ name: specName, query: 'SELECT 1;' }] });
      const run = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 1;', selected: { hosts: [fakeId] } });
      await fake.answerAll(() => [{ value: '<img src=y onerror=alert(2)>' }]);

      await page.goto(`${ui.logbook.url}/hosts?query=onerror`);
      await page.getByRole('link', { name: XSS, exact: true }).waitFor();
      await page.goto(`${ui.logbook.url}/specs/queries`);
      await page.getByRole('link', { name: specName, exact: true }).waitFor();
      await page.goto(`${ui.logbook.url}/campaigns/${run.body.campaign.id}`);
      await page.getByRole('cell', { name: '<img src=y onerror=alert(2)>', exact: true }).waitFor({ timeout: 15_000 });
      await page.getByRole('cell', { name: XSS, exact: true }).waitFor();
      await page.goto(`${ui.logbook.url}/activity`);
      await page.getByRole('listitem').filter({ hasText: specName }).first().waitFor();
      assert.equal(await page.locator('img, script:not([src])').count(), 0);
    });

    it('as an observer: write controls are absent, and what is refused says why', async () => {
      const email = 'observer-e2e@example.com';
      await createUser(admin, 'observer', email);
      await signOut(page);
      await signIn(page, email, 'another-secret-9$');
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
      assert.equal(await nav.getByRole('link', { name: 'Shells' }).count(), 0);
      await page.goto(`${ui.logbook.url}/specs/queries/console-e2e`);
      await page.getByText('Your role (observer) may read this spec but not apply it.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Apply', exact: true }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Re-apply/ }).count(), 0);
      await page.goto(`${ui.logbook.url}/query`);
      await page.getByRole('button', { name: 'Add label Ubuntu Linux' }).click();
      await page.getByText('As an observer you may run only the saved queries marked for observers.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Run query' }).isDisabled(), true);
      await page.goto(`${ui.logbook.url}/users`);
      await page.getByRole('alert').filter({ hasText: 'Not allowed for your role (observer): only admins can list users' }).waitFor();
    });

    it('sends a signed-out user back to sign-in with the reason', async () => {
      await page.evaluate(() => (globalThis as any).localStorage.setItem('logbook-token', 'expired-or-revoked'));
      await page.goto(`${ui.logbook.url}/hosts`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await screenshot(page, shots, 'sign-in');
    });
  });
});
