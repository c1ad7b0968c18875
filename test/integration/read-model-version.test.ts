/**
 * Read models built by another schema version (services/projector/read-model-version.ts) are
 * rebuilt from the event log on start, with progress in the log, and nothing is lost (black box).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { READ_MODEL_VERSION } from '../../services/projector/read-model-version';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';

describe('read model schema version (black box)', function () {
  this.timeout(120_000);

  it('rebuilds read models of an older version on start, keeping every host and count', async () => {
    const first = await startLogbook();
    const admin = await setUpAdmin(first.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: 'version-secret' }] } });
    for (const hostname of ['old-1', 'old-2']) assert.equal((await new FakeOsqueryHost(first.url, hostname, 'ubuntu').enroll('version-secret')).status, 200);
    await eventually(async () => assert.equal((await admin.get('/api/v1/fleet/hosts/count')).body.count, 2));
    assert.equal(first.output.some((line) => line.includes('rebuilding them from the event log')), false);
    await first.stop();

    // As if the read models had been built before the version was recorded.
    const readStore = await openLmdbReadStore(join(first.dataDir, 'read-models'));
    await readStore.collection('read_model_version').put('version', { version: READ_MODEL_VERSION - 1 });
    await readStore.close();

    const second = await startLogbook({ dataDir: first.dataDir });
    try {
      const again = new FleetClient(second.url, admin.token);
      assert.ok(second.output.some((line) => line.includes('rebuilding them from the event log')), second.output.join('\n'));
      assert.ok(second.output.some((line) => line.includes('read models rebuilt')), second.output.join('\n'));
      assert.deepEqual((await again.get('/api/v1/fleet/hosts?order_key=hostname')).body.hosts.map((host: { hostname: string }) => host.hostname), ['old-1', 'old-2']);
      assert.equal((await again.get('/api/v1/fleet/hosts/count?platform=ubuntu')).body.count, 2);
      assert.equal((await again.get('/api/v1/fleet/hosts?query=old-2')).body.hosts.length, 1);
    } finally {
      await second.stop();
    }
  });
});
