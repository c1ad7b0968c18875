/**
 * Restarts of the agent view (black box): after kill -9, Logbook starts from the agent view's
 * snapshot plus the tail of the log and serves every host, those enrolled after the snapshot and
 * a re-enrolled one's new node key included (its old one refused); with the snapshot damaged it
 * starts from the log's start and still serves every host.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { open } from 'lmdb';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { eventually } from '../support/eventually';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

const SECRET = 'restart-secret';
const ENV = { AGENT_SNAPSHOT_INTERVAL_S: '1' };
/** No snapshot during the test after the one it waited for: what follows is the tail. */
const LATER = { AGENT_SNAPSHOT_INTERVAL_S: '3600' };

function logged(logbook: LogbookProcess, msg: string): Array<Record<string, unknown>> {
  return logbook.output.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.msg === msg ? [entry] : [];
    } catch {
      return [];
    }
  });
}

async function enrolled(logbook: LogbookProcess, names: string[]): Promise<FakeOsqueryHost[]> {
  const hosts = names.map((name, i) => new FakeOsqueryHost(logbook.url, name, (['darwin', 'ubuntu', 'centos', 'windows'] as const)[i % 4]));
  for (const host of hosts) {
    assert.equal((await host.enroll(SECRET)).status, 200);
    await host.answerAll(() => []);
  }
  return hosts;
}

/** Every host checks in with its node key (against the given Logbook: it moved to a new port). */
async function assertServed(logbook: LogbookProcess, hosts: FakeOsqueryHost[]): Promise<void> {
  for (const host of hosts) {
    const again = new FakeOsqueryHost(logbook.url, host.hostname, host.platform, host.uuid);
    again.nodeKey = host.nodeKey;
    const read = await again.read();
    assert.equal(read.status, 200, `${host.hostname}: ${JSON.stringify(read.body)}`);
    assert.equal((await again.config()).status, 200, host.hostname);
  }
}

describe('agent view restart from its snapshot (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let hosts: FakeOsqueryHost[];

  before(async () => {
    logbook = await startLogbook({ env: ENV });
    const admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
    hosts = await enrolled(logbook, Array.from({ length: 30 }, (_, i) => `before-${i}`));
  });
  after(() => logbook.stop());

  it('serves every host after kill -9: the snapshot, then the tail (new hosts, a re-enrolled one)', async () => {
    await eventually(async () => assert.ok(logged(logbook, 'agent view snapshot written').some((entry) => (entry.hosts as number) >= 30)), 30_000, 100);
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env: LATER });
    assert.equal(logged(logbook, 'agent view loaded from its snapshot').length, 1);
    const tail = await enrolled(logbook, Array.from({ length: 5 }, (_, i) => `after-${i}`));
    const reenrolled = new FakeOsqueryHost(logbook.url, hosts[0].hostname, hosts[0].platform, hosts[0].uuid);
    assert.equal((await reenrolled.enroll(SECRET)).status, 200);
    const oldKey = hosts[0].nodeKey;
    await logbook.kill();

    logbook = await startLogbook({ dataDir: logbook.dataDir, env: LATER });
    const loaded = logged(logbook, 'agent view loaded from its snapshot');
    assert.equal(loaded.length, 1, 'started from the snapshot');
    assert.ok((loaded[0].hosts as number) >= 30);
    assert.ok((logged(logbook, 'agent API ready')[0].tailEvents as number) > 0, 'and replayed a tail');
    // The stored presence is merged once the listeners are open (not on the way to them).
    await eventually(async () => assert.equal(logged(logbook, 'stored host presence merged').length, 1), 10_000, 50);
    hosts[0] = reenrolled;
    await assertServed(logbook, [...hosts, ...tail]);
    const stale = new FakeOsqueryHost(logbook.url, 'stale', 'darwin');
    stale.nodeKey = oldKey;
    const refused = await stale.read();
    assert.equal(refused.status, 401);
    assert.equal(refused.body.node_invalid, true);
    hosts.push(...tail);
  });

  it('starts from the log, serving every host, when the snapshot is damaged', async () => {
    await logbook.kill();
    const snapshots = open<string, string>({ path: join(logbook.dataDir, 'agent-view'), encoding: 'string' });
    for (const key of snapshots.getKeys()) if (String(key).includes(':hosts:')) await snapshots.put(String(key), '[["garbage"]]');
    await snapshots.close();

    logbook = await startLogbook({ dataDir: logbook.dataDir, env: ENV });
    assert.equal(logged(logbook, 'agent view loaded from its snapshot').length, 0);
    const fallback = logged(logbook, 'agent view built from the start of the log');
    assert.match(String(fallback[0]?.reason), /damaged snapshot/);
    assert.equal(logged(logbook, 'agent API ready')[0].snapshotPosition, null);
    await assertServed(logbook, hosts);
  });

  it('serves every host when snapshots are off (AGENT_SNAPSHOT_INTERVAL_S=0): the whole log, no snapshot read', async () => {
    await logbook.kill();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env: { AGENT_SNAPSHOT_INTERVAL_S: '0' } });
    assert.equal(logged(logbook, 'agent view loaded from its snapshot').length, 0);
    await assertServed(logbook, hosts);
  });
});
