import { strict as assert } from 'node:assert';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { CAMPAIGN_RESULTS_TOPIC, ENVELOPE_HEADER } from '../../shared/campaigns/campaign-results-topic';
import { RECORDED_RESULTS_TOPIC } from '../../services/results-gateway/recorded-results-topic';
import { HOSTS, type HostDoc } from '../../shared/read-models/read-model-types';
import { eventually } from '../support/eventually';
import {
  answerMessage,
  campaignDoc,
  givenCampaign,
  givenUser,
  hostResult,
  newGatewayDataDir,
  produceResults,
  gatewayPerTest,
  startGatewayHarness,
  range,
} from '../support/results-gateway-harness';
import {
  connectSocketIoWatcher,
  connectSockJsWatcher,
  connectWebSocketWatcher,
  isFinished,
  isType,
  resultHosts,
  type WatcherClient,
} from '../support/watcher-clients';

describe('results gateway (in-process bus)', function () {
  const gw = gatewayPerTest();

  describe('protocol on each transport', function () {
    async function expectHappyPath(client: WatcherClient) {
      await givenCampaign(gw.harness.readModels, campaignDoc(7, { target_host_ids: [1, 2, 3] }));
      await produceResults(gw.harness.bus, [hostResult(7, 1, [{ name: 'osqueryd', pid: '100' }])]);
      await gw.watch(client, 7);
      await produceResults(gw.harness.bus, [hostResult(7, 2), hostResult(7, 3, [], 'no such table: nope')]);
      await client.waitFor(isFinished);

      assert.deepEqual(client.frames[0], { type: 'totals', data: { count: 3, online: 3, offline: 0, missing_in_action: 0 } });
      assert.deepEqual(resultHosts(client.frames), [1, 2, 3]);
      const first = client.frames.find(isType('result'))!;
      assert.deepEqual(first.data, {
        distributed_query_execution_id: 7,
        host: { id: 1, hostname: 'host-1.example.com', display_name: 'host-1' },
        rows: [{ name: 'osqueryd', pid: '100' }],
        error: null,
      });
      assert.equal(client.frames.filter(isType('result'))[2].data.error, 'no such table: nope');
      const statuses = client.frames.filter(isType('status'));
      assert.deepEqual(statuses[statuses.length - 1].data, { expected_results: 3, actual_results: 3, status: 'finished' });
      assert.ok(statuses.slice(0, -1).every((frame) => frame.data.status === 'pending'), 'finished only once, at the end');
      assert.equal(client.frames.filter(isType('error')).length, 0);
    }

    it('raw WebSocket: totals, the stored then the live results in order, then finished', async function () {
      await expectHappyPath(await connectWebSocketWatcher(gw.harness.wsUrl));
    });

    it('SockJS (its WebSocket transport)', async function () {
      await expectHappyPath(await connectSockJsWatcher(gw.harness.url));
    });

    it('SockJS (xhr-streaming transport)', async function () {
      await expectHappyPath(await connectSockJsWatcher(gw.harness.url, ['xhr-streaming']));
    });

    it('Socket.IO namespace /campaigns with the token in the handshake', async function () {
      const client = await connectSocketIoWatcher(gw.harness.url, gw.adminToken);
      gw.clients.push(client);
      await givenCampaign(gw.harness.readModels, campaignDoc(7, { target_host_ids: [1, 2, 3] }));
      await produceResults(gw.harness.bus, [hostResult(7, 1, [{ name: 'osqueryd', pid: '100' }])]);
      client.send('select_campaign', { campaign_id: 7 });
      await produceResults(gw.harness.bus, [hostResult(7, 2), hostResult(7, 3, [], 'no such table: nope')]);
      await client.waitFor(isFinished);
      assert.deepEqual(client.frames[0], { type: 'totals', data: { count: 3, online: 3, offline: 0, missing_in_action: 0 } });
      assert.deepEqual(resultHosts(client.frames), [1, 2, 3]);
      assert.deepEqual(client.frames.find(isType('result'))!.data.rows, [{ name: 'osqueryd', pid: '100' }]);
      assert.equal(client.frames.filter(isType('error')).length, 0);
    });
  });

  describe('recording', function () {
    it('counts a host once: duplicated messages and second answers are ignored, the first answer stays', async function () {
      await givenCampaign(gw.harness.readModels, campaignDoc(8, { target_host_ids: [1, 2] }));
      const first = hostResult(8, 1, [{ answer: 'first' }]);
      await produceResults(gw.harness.bus, [first, first, hostResult(8, 1, [{ answer: 'second' }])]);
      await produceResults(gw.harness.bus, [first, hostResult(8, 2)]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 8);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1, 2]);
      assert.deepEqual(client.frames.find(isType('result'))!.data.rows, [{ answer: 'first' }]);
      assert.equal(client.frames.filter(isType('status')).pop()!.data.actual_results, 2);
      // Once a later message (same partition) is recorded, the stored count is final.
      await givenCampaign(gw.harness.readModels, campaignDoc(108, { target_host_ids: [1] }));
      await produceResults(gw.harness.bus, [hostResult(108, 1)]);
      await (await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 108)).waitFor(isFinished);
      assert.equal(await readStoreResults(gw.harness.readStore).recordedCount(8), 2);
    });

    it('relays recorded results to the other instances only while another instance runs', async function () {
      await gw.harness.close();
      const bus = createInProcessResultsBus();
      gw.harness = await startGatewayHarness({ bus, config: { peersPollMs: 20 } });
      gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
      const relayed: string[] = [];
      const reader = await bus.consume({ groupId: 'test-relay-reader', topics: [RECORDED_RESULTS_TOPIC], fromBeginning: true, onMessage: (m) => void relayed.push(m.headers.origin) });
      try {
        await givenCampaign(gw.harness.readModels, campaignDoc(11, { target_host_ids: [1, 2] }));
        await produceResults(bus, [hostResult(11, 1)]);
        await (await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 11)).waitFor(isType('result'));
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(relayed, [], 'alone, nothing is relayed');

        const other = await startGatewayHarness({ bus, readStore: gw.harness.readStore, config: { peersPollMs: 20 } });
        try {
          await new Promise((resolve) => setTimeout(resolve, 100)); // both see each other (polls every 20 ms)
          await produceResults(bus, [hostResult(11, 2)]);
          const onOther = await gw.watch(await connectWebSocketWatcher(other.wsUrl), 11);
          await onOther.waitFor(isFinished);
          assert.deepEqual(resultHosts(onOther.frames), [1, 2]);
          await eventually(async () => assert.equal(relayed.length, 1, 'the second result was relayed once, by the instance that recorded it'), 5_000);
        } finally {
          await other.close();
        }
      } finally {
        await reader.stop();
        await bus.close();
      }
    });

    it('ignores hosts the campaign did not target, and malformed messages', async function () {
      await givenCampaign(gw.harness.readModels, campaignDoc(9, { target_host_ids: [1, 2] }));
      await produceResults(gw.harness.bus, [hostResult(9, 99), 'not json', '{"campaign_id":9}', hostResult(9, 1), hostResult(9, 2)]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 9);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1, 2]);
      assert.equal(await readStoreResults(gw.harness.readStore).getResult(9, 99), null);
    });

    it('takes answers of a campaign on labels and teams from their hosts only (the host as projected)', async function () {
      const hosts = gw.harness.readModels.collection<HostDoc>(HOSTS);
      const host = (id: number, label_ids: number[], team_id: number | null) => ({ id, label_ids, team_id }) as unknown as HostDoc;
      await hosts.bulk([host(2, [5], null), host(3, [], 9), host(4, [6], 8)].map((doc) => ({ op: 'put' as const, id: String(doc.id), doc })));
      await givenCampaign(gw.harness.readModels, campaignDoc(17, { target_host_ids: [1], target_label_ids: [5], target_team_ids: [9], totals: { count: 3, online: 3, offline: 0, missing_in_action: 0 } }));
      await produceResults(gw.harness.bus, [hostResult(17, 4), hostResult(17, 99), hostResult(17, 1), hostResult(17, 2), hostResult(17, 3)]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 17);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1, 2, 3]);
      assert.equal(await readStoreResults(gw.harness.readStore).getResult(17, 4), null);
    });

    it('records messages of the first format (the whole answer as JSON, still in topics) like new ones', async function () {
      await givenCampaign(gw.harness.readModels, campaignDoc(15, { target_host_ids: [1, 2, 3] }));
      const rows = [{ name: 'osqueryd', path: '/opt/osquery/bin/osqueryd "quoted"\nline' }];
      await produceResults(gw.harness.bus, [hostResult(15, 1, rows)], 'whole');
      await produceResults(gw.harness.bus, [hostResult(15, 2, rows)]);
      await produceResults(gw.harness.bus, [hostResult(15, 3, [], 'no such table: nope')], 'whole');
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 15);
      await client.waitFor(isFinished);
      const results = client.frames.filter(isType('result'));
      assert.deepEqual(results.map((frame) => [frame.data.host.id, frame.data.rows, frame.data.error]), [[1, rows, null], [2, rows, null], [3, [], 'no such table: nope']]);
    });

    it('drops envelope-and-rows messages whose envelope or rows are malformed, and goes on', async function () {
      await givenCampaign(gw.harness.readModels, campaignDoc(16, { target_host_ids: [1, 2] }));
      const good = answerMessage(hostResult(16, 1));
      const envelope = good.headers![ENVELOPE_HEADER];
      await gw.harness.bus.produce(CAMPAIGN_RESULTS_TOPIC, [
        { key: '16', value: '[]', headers: { [ENVELOPE_HEADER]: 'not json' } },
        { key: '16', value: '[]', headers: { [ENVELOPE_HEADER]: '{"campaign_id":16,"host":{}}' } },
        { key: '16', value: '{"rows":[]}', headers: { [ENVELOPE_HEADER]: envelope } },
        { key: '16', value: '', headers: { [ENVELOPE_HEADER]: envelope } },
        { key: '16', value: '[]', headers: { [ENVELOPE_HEADER]: envelope.replace('"error":null', '"error":7') } },
        good,
        answerMessage(hostResult(16, 2)),
      ]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 16);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1, 2]);
      assert.deepEqual(client.frames.find(isType('result'))!.data.rows, [{ host: '1' }]);
    });

    it('records a result whose campaign is projected just after it', async function () {
      await produceResults(gw.harness.bus, [hostResult(10, 1)]);
      await givenCampaign(gw.harness.readModels, campaignDoc(10, { target_host_ids: [1] }));
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 10);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1]);
    });

    it('drops results of a campaign still unknown after the wait, and goes on with the next ones', async function () {
      await gw.harness.close();
      gw.harness = await startGatewayHarness({ config: { campaignWaitMs: 50 } });
      gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
      await givenCampaign(gw.harness.readModels, campaignDoc(12, { target_host_ids: [1] }));
      await produceResults(gw.harness.bus, [hostResult(11, 1), hostResult(12, 1)]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 12);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1]);
      assert.equal(await readStoreResults(gw.harness.readStore).getResult(11, 1), null);
    });

    it('replaces a result over the size limit by an error for that host', async function () {
      await gw.harness.close();
      gw.harness = await startGatewayHarness({ config: { maxResultBytes: 2_000 } });
      gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
      await givenCampaign(gw.harness.readModels, campaignDoc(13, { target_host_ids: [1, 2] }));
      const big = range(1, 100).map((i) => ({ path: `/usr/lib/some/long/path/number/${i}` }));
      await produceResults(gw.harness.bus, [hostResult(13, 1, big), hostResult(13, 2)]);
      const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 13);
      await client.waitFor(isFinished);
      const [tooLarge, normal] = client.frames.filter(isType('result'));
      assert.equal(tooLarge.data.host.id, 1);
      assert.deepEqual(tooLarge.data.rows, []);
      assert.match(tooLarge.data.error, /^result too large: \d+ bytes, the limit is 2000 bytes$/);
      assert.deepEqual(normal.data.rows, [{ host: '2' }]);
    });

    it('replays every stored result in order to a watcher after the gateway restarts', async function () {
      const dataDir = newGatewayDataDir();
      await gw.harness.close();
      gw.harness = await startGatewayHarness({ dataDir });
      gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
      await givenCampaign(gw.harness.readModels, campaignDoc(14, { target_host_ids: range(1, 50), status: 'completed' }));
      await produceResults(gw.harness.bus, range(1, 50).reverse().map((host) => hostResult(14, host)));
      const before = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 14);
      await before.waitFor(isFinished);
      before.close();

      await gw.harness.close();
      gw.harness = await startGatewayHarness({ dataDir, bus: createInProcessResultsBus() }); // the new bus is empty
      const after = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 14);
      await after.waitFor(isFinished);
      assert.deepEqual(resultHosts(after.frames), range(1, 50).reverse());
      await gw.harness.bus.close();
    });
  });

  describe('bad input: an error frame, and the connection keeps working', function () {
    it('raw WebSocket', async function () {
      const observerToken = await givenUser(gw.harness.readModels, 2, 'observer');
      await givenCampaign(gw.harness.readModels, campaignDoc(20, { user_id: 1, target_host_ids: [1] }));
      await givenCampaign(gw.harness.readModels, campaignDoc(21, { user_id: 2, target_host_ids: [1] }));
      await produceResults(gw.harness.bus, [hostResult(21, 1)]);
      const client = await connectWebSocketWatcher(gw.harness.wsUrl);
      gw.clients.push(client);
      const errors: string[] = [];
      const expectError = async (pattern: RegExp) => {
        const frame = await client.waitForCount(isType('error'), errors.length + 1).then((frames) => frames[frames.length - 1]);
        errors.push(frame.data);
        assert.match(frame.data, pattern);
      };
      client.send('select_campaign', { campaign_id: 21 });
      await expectError(/authenticate first/);
      client.sendRaw('{not json');
      await expectError(/not JSON/);
      client.sendRaw('[1,2]');
      await expectError(/expected \{"type"/);
      client.send('subscribe', {});
      await expectError(/unknown message type: "subscribe"/);
      client.send('auth', { token: 'wrong' });
      await expectError(/invalid or expired token/);
      client.send('auth', {});
      await expectError(/data.token must be/);
      client.send('auth', { token: observerToken });
      client.send('select_campaign', { campaign_id: 'twenty' });
      await expectError(/campaign_id must be a positive integer/);
      client.send('select_campaign', { campaign_id: 404 });
      await expectError(/no campaign with id 404/);
      client.send('select_campaign', { campaign_id: 20 });
      await expectError(/not allowed to watch campaign 20/);
      client.send('select_campaign', { campaign_id: 21 });
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1]);
      assert.equal(client.frames.filter(isType('totals')).length, 1, 'no totals for the refused selections');
    });

    it('Socket.IO: a bad handshake token refuses the connection; without one, an auth event works', async function () {
      await assert.rejects(connectSocketIoWatcher(gw.harness.url, 'wrong'), (error: Error) => {
        assert.equal(error.message, 'auth: invalid or expired token');
        return true;
      });
      await givenCampaign(gw.harness.readModels, campaignDoc(22, { target_host_ids: [1] }));
      await produceResults(gw.harness.bus, [hostResult(22, 1)]);
      const client = await connectSocketIoWatcher(gw.harness.url, null);
      gw.clients.push(client);
      client.send('select_campaign', { campaign_id: 22 });
      assert.match((await client.waitFor(isType('error'))).data, /authenticate first/);
      client.send('auth', { token: 'wrong' });
      assert.match((await client.waitForCount(isType('error'), 2))[1].data, /invalid or expired token/);
      client.send('auth', { token: gw.adminToken });
      client.send('select_campaign', { campaign_id: 22 });
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1]);
    });

    it('SockJS', async function () {
      const client = await connectSockJsWatcher(gw.harness.url);
      gw.clients.push(client);
      client.sendRaw('nonsense');
      assert.match((await client.waitFor(isType('error'))).data, /not JSON/);
      await givenCampaign(gw.harness.readModels, campaignDoc(23, { target_host_ids: [1] }));
      await produceResults(gw.harness.bus, [hostResult(23, 1)]);
      await gw.watch(client, 23);
      await client.waitFor(isFinished);
      assert.deepEqual(resultHosts(client.frames), [1]);
    });
  });

  it('finishes when the campaign is stopped before every host answered', async function () {
    await gw.harness.close();
    gw.harness = await startGatewayHarness({ config: { campaignPollMs: 20 } });
    gw.adminToken = await givenUser(gw.harness.readModels, 1, 'admin');
    const campaign = await givenCampaign(gw.harness.readModels, campaignDoc(40, { target_host_ids: [1, 2, 3] }));
    await produceResults(gw.harness.bus, [hostResult(40, 1)]);
    const client = await gw.watch(await connectWebSocketWatcher(gw.harness.wsUrl), 40);
    await client.waitFor(isType('result'));
    await givenCampaign(gw.harness.readModels, { ...campaign, status: 'stopped' });
    const finished = await client.waitFor(isFinished);
    assert.deepEqual(finished.data, { expected_results: 3, actual_results: 1, status: 'finished' });
  });
});
