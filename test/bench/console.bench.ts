/**
 * The operator console in Chromium (Debian's, through playwright-core) against a started Logbook:
 *
 * 1. First load of `/` with the cache off, ROUNDS times, medians: bytes transferred (the sum of
 *    every response's encoded size, headers included, from CDP Network events) and time to
 *    interactive, defined as: from navigation start to the first animation frame in which the
 *    sign-in form is rendered with its "Sign in" button enabled, or to the end of the last long
 *    task before that frame if later (the main thread is free, the form answers input).
 * 2. A HOSTS-host campaign streaming into the results table. HOSTS hosts are enrolled over the
 *    osquery API (members of All Hosts); the campaign page is opened, then every host reads the
 *    query and writes one row (32 at a time, from this process). Figures: results painted per
 *    second (from the first row painted to the last, read from the "Results: N rows from M
 *    hosts" heading every frame), how far the page lagged the hosts, the longest main-thread task
 *    while it streamed (Long Tasks API), and whether every result was shown.
 * 3. The same campaign reopened once stored: all HOSTS results replay at once (the burst a
 *    reopened tab or a reconnect gets), same figures.
 *
 *   npm run bench:console              (HOSTS=10000 ROUNDS=5 by default)
 *
 * Target: no task over 100 ms while results stream, every result shown.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { setUpAdmin, type FleetClient } from '../support/fleet-client';
import { CHROMIUM_MISSING, chromiumAvailable, launchChromium } from '../support/headless-chromium';
import { startLogbook } from '../support/logbook-process';
import { runSuiteEnd } from '../support/teardown';
import { printTable, runConcurrently } from './bench-stats';
import { headingSamples, installProbes, longTasks, traceLongTasks, transferredBytes, type LongTask } from './console-page-probes';
import { KeepAliveClient } from './keep-alive-client';

const HOSTS = Number(process.env.HOSTS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECRET = 'console-bench';
const TARGET_TASK_MS = 100;
const STREAM_TIMEOUT_MS = Number(process.env.STREAM_TIMEOUT_MS ?? 600_000);

/**
 * In the page, each frame: the time once the sign-in form is rendered with an enabled "Sign in"
 * button. A function, not a string: a string would be eval'd in the page, which its CSP forbids.
 */
function signInUsable(): number | false {
  const doc = (globalThis as any).document;
  const button = [...doc.querySelectorAll('button')].find((b: any) => b.textContent === 'Sign in');
  return button && !button.disabled && doc.querySelector('input[type=password]') ? performance.now() : false;
}

/** In the page: the results heading painted `hosts` rows from `hosts` hosts (from the probe's samples). */
function headingShowsAll(hosts: number): boolean {
  const samples = (globalThis as any).__heading as Array<{ rows: number; hosts: number }>;
  const last = samples[samples.length - 1];
  return last !== undefined && last.rows === hosts && last.hosts === hosts;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');

async function firstLoad(browser: BrowserContext, url: string): Promise<{ bytes: number; responses: number; ttiMs: number; loadEventMs: number }> {
  const page = await browser.newPage();
  try {
    let formAt = 0;
    const { bytes, responses } = await transferredBytes(page, async () => {
      await page.goto(url, { waitUntil: 'load' });
      formAt = await page.waitForFunction(signInUsable, undefined, { polling: 'raf', timeout: 60_000 }).then((handle) => handle.jsonValue() as Promise<number>);
      await page.waitForLoadState('networkidle');
    });
    const tasks = (await longTasks(page)).filter((task) => task.start < formAt);
    const lastTaskEnd = Math.max(0, ...tasks.map((task) => task.start + task.duration));
    const loadEventMs = await page.evaluate(() => (performance.getEntriesByType('navigation' as any)[0] as any).loadEventEnd as number);
    return { bytes, responses, ttiMs: Math.max(formAt, lastTaskEnd), loadEventMs };
  } finally {
    await page.close();
  }
}

/** Enrolls `count` hosts that answer every label query with a row (so they are in All Hosts); their node keys. */
async function enrollHosts(client: KeepAliveClient, count: number): Promise<string[]> {
  const keys: string[] = new Array(count);
  await runConcurrently(count, 32, async (index) => {
    const hostname = `console-bench-${String(index).padStart(5, '0')}`;
    const enrolled = await client.send('POST', '/api/v1/osquery/enroll', {
      enroll_secret: SECRET,
      host_identifier: `uuid-${index}`,
      host_details: { system_info: { hostname, uuid: `uuid-${index}` }, os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04' }, osquery_info: { version: '5.12.1' } },
    });
    if (enrolled.status !== 200) throw new Error(`enroll: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    keys[index] = enrolled.body.node_key;
    await answer(client, keys[index], (name) => (name.startsWith('fleet_label_query_') ? [{ '1': '1' }] : []));
  });
  return keys;
}

/** One check-in: distributed/read, then distributed/write with `rows(name)` for each query asked. */
async function answer(client: KeepAliveClient, nodeKey: string, rows: (name: string) => Array<Record<string, string>>): Promise<number> {
  const read = await client.send('POST', '/api/v1/osquery/distributed/read', { node_key: nodeKey });
  if (read.status !== 200) throw new Error(`distributed/read: ${read.status}`);
  const names = Object.keys(read.body.queries ?? {});
  if (names.length === 0) return 0;
  const written = await client.send('POST', '/api/v1/osquery/distributed/write', {
    node_key: nodeKey,
    queries: Object.fromEntries(names.map((name) => [name, rows(name)])),
    statuses: Object.fromEntries(names.map((name) => [name, 0])),
    messages: {},
  });
  if (written.status !== 200) throw new Error(`distributed/write: ${written.status}`);
  return names.length;
}

/** Hosts in All Hosts now (label membership is projected after the hosts' answers). */
async function allHostsCount(admin: FleetClient): Promise<number> {
  const labelId = (await admin.get('/api/v1/fleet/spec/labels/All%20Hosts')).body.specs.id;
  let count = 0;
  for (let page = 0; ; page++) {
    const res = await admin.get(`/api/v1/fleet/labels/${labelId}/hosts?per_page=10000&page=${page}`);
    if (res.status !== 200) throw new Error(`label hosts: ${res.status} ${JSON.stringify(res.body)}`);
    count += res.body.hosts.length;
    if (res.body.hosts.length < 10_000) return count;
  }
}

interface StreamFigures {
  rowsShown: number;
  hostsShown: number;
  rowsPerSecond: number;
  paintSpanMs: number;
  longest: LongTask | undefined;
  over100: number;
  longTasks: number;
}

/**
 * From the page's probes, once its heading reached every row: what was painted and how fast, and
 * the long tasks of the stream, i.e. those that end after the heading was first painted (with 0
 * rows: the page's own start-up, parsing and running the bundle, comes before and is not counted).
 */
async function streamFigures(page: Page): Promise<StreamFigures> {
  const samples = await headingSamples(page);
  const since = samples[0].at;
  const first = samples.find((sample) => sample.rows > 0)!;
  const last = samples[samples.length - 1];
  const all = await longTasks(page);
  const tasks = all.filter((task) => task.start + task.duration > since);
  // The page's start-up usually has some (parsing the bundle on a loaded machine): a sign the observer works.
  console.log(`long tasks in the page: ${all.length} in all, ${all.length - tasks.length} before the heading's first paint (${all.filter((t) => t.start + t.duration <= since).map((t) => t.duration.toFixed(0)).join(', ') || 'none'} ms), ${tasks.length} while streaming` +
    (process.env.CONSOLE_BENCH_TASKS ? `: ${tasks.map((t) => `at ${(t.start - since).toFixed(0)} for ${t.duration.toFixed(0)}`).join(', ')}` : ''));
  const longest = tasks.reduce<LongTask | undefined>((max, task) => (!max || task.duration > max.duration ? task : max), undefined);
  const paintSpanMs = last.at - first.at;
  return {
    rowsShown: last.rows,
    hostsShown: last.hosts,
    rowsPerSecond: paintSpanMs > 0 ? ((last.rows - first.rows) / paintSpanMs) * 1000 : last.rows * 1000,
    paintSpanMs,
    longest,
    over100: tasks.filter((task) => task.duration > TARGET_TASK_MS).length,
    longTasks: tasks.length,
  };
}

/**
 * CONSOLE_BENCH_PROFILE=dir writes a CPU profile of each campaign page (open it in Chrome's DevTools).
 * While the profiler runs Chromium reports no long tasks: the task figures of such a run mean nothing.
 */
async function openCampaign(browser: BrowserContext, url: string, campaignId: number): Promise<Page> {
  const page = await browser.newPage();
  if (process.env.CONSOLE_BENCH_PROFILE) {
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    const close = page.close.bind(page);
    page.close = async (options) => {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(process.env.CONSOLE_BENCH_PROFILE!, `console-campaign-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      await close(options);
    };
  }
  if (process.env.CONSOLE_BENCH_TRACE) {
    const stop = await traceLongTasks(page, 50);
    const close = page.close.bind(page);
    page.close = async (options) => {
      for (const line of await stop()) console.log(`  trace: ${line}`);
      await close(options);
    };
  }
  await page.goto(`${url}/campaigns/${campaignId}`);
  await page.getByRole('status', { name: 'Campaign progress' }).waitFor();
  return page;
}

function row(what: string, figures: StreamFigures, extra: string): Record<string, string | number> {
  return {
    what,
    'rows/hosts shown': `${figures.rowsShown}/${figures.hostsShown}`,
    'painted rows/s': figures.rowsPerSecond,
    'paint span s': figures.paintSpanMs / 1000,
    'longest task ms': figures.longest?.duration ?? 0,
    'tasks > 100 ms': figures.over100,
    'tasks > 50 ms': figures.longTasks,
    note: extra,
  };
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(CHROMIUM_MISSING);
  console.log(`node ${process.version}, ${cpus().length} cores, load average at start ${load()}`);
  const logbook = await startLogbook();
  const browser = await launchChromium();
  try {
    await installProbes(browser);
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });

    const loads = [];
    for (let round = 0; round < ROUNDS; round++) loads.push(await firstLoad(browser, `${logbook.url}/`));
    console.log(`\nfirst load of / (sign-in form), cache off, ${ROUNDS} rounds, medians; load average ${load()}`);
    printTable([
      {
        'transferred KB': median(loads.map((l) => l.bytes)) / 1024,
        responses: median(loads.map((l) => l.responses)),
        'time to interactive ms': median(loads.map((l) => l.ttiMs)),
        'load event ms': median(loads.map((l) => l.loadEventMs)),
        'TTI min–max ms': `${Math.min(...loads.map((l) => l.ttiMs)).toFixed(0)}–${Math.max(...loads.map((l) => l.ttiMs)).toFixed(0)}`,
      },
    ]);

    const client = new KeepAliveClient(logbook.url, '');
    const enrollStarted = performance.now();
    const keys = await enrollHosts(client, HOSTS);
    console.log(`\n${HOSTS} hosts enrolled in ${((performance.now() - enrollStarted) / 1000).toFixed(1)} s`);
    for (let members = 0; members < HOSTS; members = await allHostsCount(admin)) {
      if (performance.now() - enrollStarted > STREAM_TIMEOUT_MS) throw new Error(`only ${members} of ${HOSTS} hosts in All Hosts`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT hostname, uuid, version FROM system_info, osquery_info', selected: { labels: ['All Hosts'] } });
    if (run.status !== 200) throw new Error(`run_by_names: ${run.status} ${JSON.stringify(run.body)}`);
    const campaignId: number = run.body.campaign.id;
    const targeted: number = run.body.campaign.Metrics.TotalHosts;
    if (targeted !== HOSTS) throw new Error(`the campaign targets ${targeted} hosts, not ${HOSTS}`);

    const page0 = await browser.newPage();
    await page0.goto(`${logbook.url}/`);
    await page0.evaluate((token) => (globalThis as any).localStorage.setItem('logbook-token', token), admin.token!);
    await page0.close();

    // Waits on the page's own probe (polled twice a second), not a role query, so that the wait costs the page next to nothing.
    const heading = (page: Page) => page.waitForFunction(headingShowsAll, HOSTS, { polling: 500, timeout: STREAM_TIMEOUT_MS }).then(
      () => undefined,
      () => console.log(`not every result shown after ${STREAM_TIMEOUT_MS / 1000} s`),
    );
    const live = await openCampaign(browser, logbook.url, campaignId);
    const answersStarted = performance.now();
    await runConcurrently(HOSTS, 32, async (index) => {
      await answer(client, keys[index], () => [{ hostname: `console-bench-${index}`, uuid: `uuid-${index}`, version: '5.12.1' }]);
    });
    const answerSeconds = (performance.now() - answersStarted) / 1000;
    const lastAnswerAt = await live.evaluate(() => performance.now());
    const loadLive = load();
    await heading(live);
    const liveFigures = await streamFigures(live);
    const samples = await headingSamples(live);
    const lagMs = samples[samples.length - 1].at - lastAnswerAt;
    await live.close();

    const replay = await openCampaign(browser, logbook.url, campaignId);
    await heading(replay);
    const loadReplay = load();
    const replayFigures = await streamFigures(replay);
    await replay.close();

    console.log(`\ncampaign ${campaignId} on All Hosts, ${HOSTS} hosts, one row each`);
    printTable([
      row('live: hosts answer while the page is open', liveFigures, `hosts sent ${(HOSTS / answerSeconds).toFixed(0)} answers/s; last row painted ${(lagMs / 1000).toFixed(1)} s after the last answer; load ${loadLive}`),
      row('reopened: every stored result replays at once', replayFigures, `load ${loadReplay}`),
    ]);
    for (const [what, figures] of [['live', liveFigures], ['replay', replayFigures]] as const) {
      const shown = figures.rowsShown === HOSTS && figures.hostsShown === HOSTS;
      const tasksOk = figures.over100 === 0;
      console.log(`${what}: every result shown (${HOSTS} rows from ${HOSTS} hosts): ${shown ? 'met' : 'NOT met'}; no task over ${TARGET_TASK_MS} ms: ${tasksOk ? 'met' : `NOT met (longest ${figures.longest?.duration.toFixed(0)} ms)`}`);
    }
    client.close();
  } finally {
    await browser.close();
    await logbook.stop();
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runSuiteEnd().then(() => process.exit()));
