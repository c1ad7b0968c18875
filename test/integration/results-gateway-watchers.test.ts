/**
 * The results gateway with many watchers at once (in-process bus): every watcher gets every
 * result in order across replay and live, and a watcher too slow to read is cut off alone.
 */
import { strict as assert } from 'node:assert';
import { OVERFLOW_CLOSE_CODE } from '../../services/results-gateway';
import { campaignDoc, gatewayPerTest, givenCampaign, givenUser, hostResult, produceResults, startGatewayHarness, range } from '../support/results-gateway-harness';
import {
  connectSockJsFramedWatcher,
  connectSocketIoWatcher,
  connectSockJsWatcher,
  connectWebSocketWatcher,
  isFinished,
  isType,
  resultHosts,
  type PausableWatcher,
} from '../support/watcher-clients';

describe('results gateway: many watchers (in-process bus)', function () {
  const gw = gatewayPerTest();

  it('gives every watcher every result, in order, across replay and live', async function () {
    const hosts = range(1, 300);
    await givenCampaign(gw.harness.readModels, campaignDoc(30, { target_host_ids: hosts }));
    await produceResults(gw.harness.bus, hosts.slice(0, 100).map((host) => hostResult(30, host)));
    const early = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 30);
    const viaSockJs = await gw.watch(await connectSockJsWatcher(gw.harness.url), 30);
    for (let i = 100; i < 300; i += 20) {
      await produceResults(gw.harness.bus, hosts.slice(i, i + 20).map((host) => hostResult(30, host)));
      if (i === 200) await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 30);
    }
    for (const client of gw.clients) {
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), hosts);
    }
    assert.equal(gw.clients.length, 3);
    assert.ok(early && viaSockJs);
  });

  const slowWatchers: Array<{ transport: string; campaignId: number; connect: () => Promise<PausableWatcher>; token: boolean; closedWith: { code: number | string; reason: string } }> = [
    { transport: 'raw WebSocket', campaignId: 31, connect: () => connectWebSocketWatcher(gw.harness.wsUrl), token: false, closedWith: { code: OVERFLOW_CLOSE_CODE, reason: 'watcher too slow' } },
    { transport: 'SockJS (websocket transport)', campaignId: 32, connect: () => connectSockJsFramedWatcher(gw.harness.wsUrl), token: false, closedWith: { code: OVERFLOW_CLOSE_CODE, reason: 'watcher too slow' } },
    { transport: 'Socket.IO', campaignId: 33, connect: () => connectSocketIoWatcher(gw.harness.url, gw.adminToken), token: true, closedWith: { code: 'io server disconnect', reason: 'io server disconnect' } },
  ];
  for (const { transport, campaignId, connect, token, closedWith } of slowWatchers) {
    it(`${transport}: cuts off a watcher that does not read (error, then closed) while the others get everything; it can reselect and replay`, async function () {
      // The limit must exceed one delivery burst (here 10 results of about 40 kB).
      await gw.harness.close();
      gw.harness = await startGatewayHarness({ config: { maxWatcherBufferBytes: 1_048_576, maxResultBytes: 1_048_576 } });
      gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
      const hosts = range(1, 400);
      await givenCampaign(gw.harness.readModels, campaignDoc(campaignId, { target_host_ids: hosts }));
      const fast = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), campaignId);
      const slow = await connect();
      if (token) {
        gw.clients.push(slow);
        slow.send('select_campaign', { campaign_id: campaignId });
      } else await gw.watch(slow, campaignId);
      await slow.waitFor(isType('status'));
      slow.pauseReading();

      const rows = range(1, 400).map((i) => ({ line: `${i}:${'x'.repeat(90)}` })); // ~40 kB per result
      for (let i = 0; i < hosts.length; i += 10) {
        await produceResults(gw.harness.bus, hosts.slice(i, i + 10).map((host) => hostResult(campaignId, host, rows)));
        await fast.waitForCount(isType('result'), i + 10);
      }
      await fast.waitFor(isFinished);
      assert.deepEqual(resultHosts(fast.frames), hosts);

      slow.resumeReading();
      assert.deepEqual(await slow.closed, closedWith);
      const last = slow.frames[slow.frames.length - 1];
      assert.equal(last.type, 'error');
      assert.match(last.data, /^watcher too slow: more than 1048576 bytes were waiting to be sent/);
      const received = resultHosts(slow.frames);
      assert.ok(received.length < hosts.length, 'the slow watcher did not get everything');
      assert.deepEqual(received, hosts.slice(0, received.length), 'what it got was in order');

      const again = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), campaignId);
      await again.waitFor(isFinished);
      assert.deepEqual(resultHosts(again.frames), hosts);
    });
  }
});
