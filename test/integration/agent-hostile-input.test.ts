/**
 * Hostile host input on the osquery API (black box): whatever a host sends, it gets a 4xx in
 * osquery's error shape (or a 200 where Fleet ignores what it did not ask), never a 5xx, and
 * Logbook keeps serving.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { CATCH_UP_MIN_INTERVAL_MS } from '../../services/agent-api/view-catch-up';

const SECRET = 'hostile-input-secret';

describe('agent API: hostile host input (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let host: FakeOsqueryHost;

  const raw = (path: string, body: string) =>
    fetch(`${logbook.url}/api/v1/osquery/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { error?: unknown; node_invalid?: unknown },
    }));

  function assertRefused(res: { status: number; body: { error?: unknown; node_invalid?: unknown } }, what: string): void {
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.error, 'string', what);
    assert.equal(res.body.node_invalid, false, what);
  }

  /** logbook_agent_view_catch_ups_total, from /metrics (open: no METRICS_TOKEN here). */
  async function catchUps(): Promise<number> {
    const text = await (await fetch(`${logbook.url}/metrics`)).text();
    const line = text.split('\n').find((entry) => entry.startsWith('logbook_agent_view_catch_ups_total'));
    assert.ok(line, 'the catch-up counter is exposed');
    return Number(line.split(' ').pop());
  }

  async function assertStillServing(): Promise<void> {
    assert.equal((await host.read()).status, 200);
    assert.equal((await admin.get('/api/v1/fleet/hosts')).status, 200);
  }

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    host = new FakeOsqueryHost(logbook.url, 'hostile-1', 'ubuntu');
    assert.equal((await host.enroll(SECRET)).status, 200);
    assert.equal((await host.answerLikeARealHost()).status, 200);
  });
  after(() => logbook.stop());

  it("answers a flood of unknown node keys with Fleet's node_invalid, catching the view up a bounded number of times", async () => {
    const FLOOD = 300;
    const before = await catchUps();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) => raw(['distributed/read', 'config', 'distributed/write', 'log'][i % 4], JSON.stringify({ node_key: `not-a-node-key-${i}`, log_type: 'status', data: [] }))),
    );
    const elapsedMs = performance.now() - started;
    for (const answer of answers) {
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { error: 'invalid node key', node_invalid: true });
    }
    const caughtUp = (await catchUps()) - before;
    // Coalesced: one at a time and one per interval, however many requests wait (not one each).
    assert.ok(caughtUp >= 1, 'an unknown key makes the view catch up');
    assert.ok(caughtUp <= 2 + elapsedMs / CATCH_UP_MIN_INTERVAL_MS, `${caughtUp} catch-ups in ${elapsedMs.toFixed(0)} ms`);
    assert.ok(caughtUp < FLOOD, `${caughtUp} catch-ups for ${FLOOD} requests`);
    // A key that is known is still answered at once, and a host enrolled now is found.
    await assertStillServing();
    const late = new FakeOsqueryHost(logbook.url, 'hostile-late', 'darwin');
    assert.equal((await late.enroll(SECRET)).status, 200);
    assert.equal((await late.read()).status, 200);
  });

  it('ignores answers named after Object.prototype members, and records the rest of the write', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    for (const prefix of ['fleet_detail_query_', 'fleet_label_query_', 'fleet_policy_query_', 'fleet_distributed_query_', '']) {
      const queries = Object.fromEntries(names.map((name) => [prefix + name, [{ hostname: 'polluted' }]]));
      const body = JSON.stringify({ node_key: host.nodeKey, queries, statuses: Object.fromEntries(names.map((name) => [prefix + name, 0])), messages: {} });
      const res = await raw('distributed/write', body);
      assert.equal(res.status, 200, `${prefix}*: ${JSON.stringify(res.body)}`);
    }
    // A status or message alone for such a name (no rows) is ignored too.
    const statusOnly = await raw('distributed/write', JSON.stringify({ node_key: host.nodeKey, queries: {}, statuses: { fleet_detail_query_constructor: 1, constructor: 0 }, messages: { toString: 'x' } }));
    assert.equal(statusOnly.status, 200, JSON.stringify(statusOnly.body));
    const renamed = await host.write({ fleet_detail_query_system_info: [{ ...host.hostDetails().system_info, computer_name: 'hostile-renamed' }], fleet_detail_query_toString: [], not_asked_at_all: [] });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    // The host list is a projection: wait for the known answer to show.
    const listed = await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts?query=hostile-1')).body.hosts;
      assert.equal(hosts[0]?.computer_name, 'hostile-renamed', 'the known answer beside unknown ones was recorded');
      return hosts;
    });
    assert.equal(listed.length, 1);
    assert.equal(listed[0].hostname, 'hostile-1', 'nothing was taken from the polluting answers');
    assert.equal(({} as Record<string, unknown>).hostname, undefined);
    await assertStillServing();
  });

  it('refuses NUL bytes and lone UTF-16 surrogates in any string of a request with 400', async () => {
    const enroll = (identifier: string, extra = '') => raw('enroll', `{"enroll_secret":"${SECRET}","host_identifier":"${identifier}"${extra}}`);
    assertRefused(await enroll('abc\\u0000def'), 'NUL in host_identifier');
    assertRefused(await enroll('\\u0000'), 'only a NUL');
    assertRefused(await enroll('lone-high-\\ud800'), 'lone high surrogate');
    assertRefused(await enroll('lone-low-\\uDC00-x'), 'lone low surrogate');
    assertRefused(await enroll('reversed-\\udc00\\ud800'), 'surrogates in the wrong order');
    assertRefused(await enroll('ok', ',"host_details":{"system_info":{"hostname":"a\\u0000b"}}'), 'NUL in host_details');
    assertRefused(await enroll('ok', ',"host_details":{"sys\\u0000tem_info":{}}'), 'NUL in a key');
    assertRefused(await raw('distributed/write', `{"node_key":"${host.nodeKey}","queries":{"fleet_detail_query_system_info":[{"hostname":"x\\u0000"}]}}`), 'NUL in a row');
    assertRefused(await raw('log', `{"node_key":"${host.nodeKey}","log_type":"result","data":["\\ud83d"]}`), 'lone surrogate in a log line');
    // What looks like an escape but is not one, and well-formed pairs, are fine.
    const fine = await enroll('fine-\\\\u0000-\\ud83d\\ude00');
    assert.equal(fine.status, 200, JSON.stringify(fine.body));
    const hosts = (await admin.get('/api/v1/fleet/hosts?per_page=100')).body.hosts as Array<{ hostname: string }>;
    assert.ok(!hosts.some((entry) => entry.hostname.includes('\u0000')), 'no host was enrolled with a NUL');
    await assertStillServing();
  });

  it('refuses bodies nested deeper than the limit with 400 on every endpoint, and accepts ordinary nesting', async () => {
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    assertRefused(await raw('log', `{"node_key":"${host.nodeKey}","log_type":"result","data":[${deep(10_000)}]}`), 'log line 10,000 deep');
    assertRefused(await raw('log', `{"node_key":"${host.nodeKey}","log_type":"status","data":[${deepObject(10_000)}]}`), 'status line 10,000 objects deep');
    assertRefused(await raw('distributed/write', `{"node_key":"${host.nodeKey}","queries":{"q":[{"a":${deep(10_000)}}]}}`), 'distributed/write');
    assertRefused(await raw('enroll', `{"enroll_secret":"${SECRET}","host_identifier":"deep","host_details":${deepObject(10_000)}}`), 'enroll');
    assertRefused(await raw('config', `{"node_key":"${host.nodeKey}","x":${deep(200)}}`), 'config 200 deep');
    assertRefused(await raw('distributed/read', `{"node_key":"${host.nodeKey}","x":${deep(65)}}`), 'just past the limit');
    // Brackets inside strings are text, not nesting.
    const inStrings = await raw('log', JSON.stringify({ node_key: host.nodeKey, log_type: 'result', data: [{ line: '['.repeat(10_000) }] }));
    assert.equal(inStrings.status, 200, JSON.stringify(inStrings.body));
    const ordinary = await raw('log', `{"node_key":"${host.nodeKey}","log_type":"result","data":[${deep(30)}]}`);
    assert.equal(ordinary.status, 200, JSON.stringify(ordinary.body));
    await assertStillServing();
  });
});
