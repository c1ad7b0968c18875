/**
 * A replay whose watcher stops reading is cut off like a live watcher that falls behind (error
 * frame `watcher too slow: ...`, close 4008) instead of holding the campaign's results forever.
 */
import assert from 'node:assert/strict';
import { OVERFLOW_CLOSE_CODE } from '../../services/results-gateway';
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { eventually } from '../support/eventually';
import { campaignDoc, givenCampaign, givenUser, hostResult, produceResults, startGatewayHarness, type GatewayHarness } from '../support/results-gateway-harness';
import { connectSockJsFramedWatcher, connectWebSocketWatcher, isType, type PausableWatcher } from '../support/watcher-clients';

const HOSTS = 300;

describe('replay of a large campaign to a watcher that does not read', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let token: string;

  before(async () => {
    harness = await startGatewayHarness({ config: { maxWatcherBufferBytes: 1_048_576, maxResultBytes: 1_048_576, watcherStallMs: 300 } });
    token = await givenUser(harness.readModels, 1, 'admin');
    const hosts = Array.from({ length: HOSTS }, (_, i) => i + 1);
    await givenCampaign(harness.readModels, campaignDoc(7, { target_host_ids: hosts, status: 'completed' }));
    const rows = Array.from({ length: 400 }, (_, i) => ({ line: `${i}:${'x'.repeat(90)}` })); // ~40 kB per result, ~12 MB in all
    for (let i = 0; i < HOSTS; i += 10) await produceResults(harness.bus, hosts.slice(i, i + 10).map((host) => hostResult(7, host, rows)));
    const store = readStoreResults(harness.readStore);
    await eventually(async () => assert.equal(await store.recordedCount(7), HOSTS), 60_000);
  });
  after(() => harness.close());

  const overflows = async () => (await harness.metrics.registry.getSingleMetric('results_gateway_watcher_overflows_total')!.get()).values[0]?.value ?? 0;

  const transports: Array<[string, () => Promise<PausableWatcher>]> = [
    ['raw WebSocket', () => connectWebSocketWatcher(harness.wsUrl)],
    ['SockJS (websocket transport)', () => connectSockJsFramedWatcher(harness.wsUrl)],
  ];
  for (const [name, connect] of transports) {
    it(`${name}: paused during the replay, it gets the error frame and close 4008`, async () => {
      const before = await overflows();
      const watcher = await connect();
      watcher.send('auth', { token });
      watcher.send('select_campaign', { campaign_id: 7 });
      watcher.pauseReading(); // before any of the replay is read

      await eventually(async () => assert.equal(await overflows(), before + 1), 30_000);
      watcher.resumeReading(); // reads what the server wrote before it gave up, the close last
      assert.deepEqual(await watcher.closed, { code: OVERFLOW_CLOSE_CODE, reason: 'watcher too slow' });
      assert.equal(watcher.frames[0].type, 'totals');
      const last = watcher.frames[watcher.frames.length - 1];
      assert.equal(last.type, 'error');
      // Either cut-off of a live watch: the replay stalled, or (on a loaded machine, where the
      // kernel's buffers take the first megabyte before the stall is seen) it fell too far behind.
      assert.match(last.data, /^watcher too slow: (\d+ bytes waited 300 ms without being read|more than 1048576 bytes were waiting to be sent)/);
      assert.ok(watcher.frames.filter(isType('result')).length < HOSTS, 'cut off before the end of the replay');
    });
  }
});
