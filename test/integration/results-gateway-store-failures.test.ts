import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import type { ReadCollection, ReadStore } from '../../shared/ports/read-store';
import { campaignDoc, givenCampaign, givenUser, hostResult, newGatewayDataDir, produceResults, range, startGatewayHarness, type GatewayHarness } from '../support/results-gateway-harness';
import { connectWebSocketWatcher, isFinished, resultHosts, type WatcherClient } from '../support/watcher-clients';

/** How many of the next reads (`get`) and writes (`bulk`) of the campaign results collection fail. */
interface Failures {
  gets: number;
  bulks: number;
}

/** The read store, except that the campaign results collection fails as `failures` says. */
function withFailingResults(inner: ReadStore, failures: Failures): ReadStore {
  const bound = <T extends object>(target: T, prop: string | symbol) => {
    const value = Reflect.get(target, prop) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const failing = (collection: ReadCollection<object>) =>
    new Proxy(collection, {
      get(target, prop) {
        if (prop === 'get') return (id: string) => (failures.gets-- > 0 ? Promise.reject(new Error('injected read failure')) : target.get(id));
        if (prop === 'bulk') return (operations: never) => (failures.bulks-- > 0 ? Promise.reject(new Error('injected write failure')) : target.bulk(operations));
        return bound(target, prop);
      },
    });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop !== 'collection') return bound(target, prop);
      return (name: string, options?: never) => {
        const collection = target.collection(name, options);
        return name === 'campaign_results' ? failing(collection) : collection;
      };
    },
  });
}

describe('results gateway: the store failing while results are recorded', function () {
  let dir: string;
  let store: ReadStore;
  let harness: GatewayHarness;
  const clients: WatcherClient[] = [];
  const failures: Failures = { gets: 0, bulks: 0 };

  beforeEach(async function () {
    dir = newGatewayDataDir();
    store = await openLmdbReadStore(dir);
    harness = await startGatewayHarness({ readStore: withFailingResults(store, failures) });
  });

  afterEach(async function () {
    for (const client of clients.splice(0)) client.close();
    await harness.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a batch whose decision fails (a store read) comes again, and a failed write is retried: each result recorded once, in order', async function () {
    const token = await givenUser(harness.readModels, 1, 'admin');
    await givenCampaign(harness.readModels, campaignDoc(31, { target_host_ids: range(1, 20) }));
    failures.gets = 2; // the campaign's count, read when its first batch is decided
    failures.bulks = 1; // the first write
    await produceResults(harness.bus, range(1, 10).map((host) => hostResult(31, host)));
    await produceResults(harness.bus, [...range(11, 20), 5, 12].map((host) => hostResult(31, host)));
    const client = await connectWebSocketWatcher(harness.wsUrl);
    clients.push(client);
    client.send('auth', { token });
    client.send('select_campaign', { campaign_id: 31 });
    await client.waitFor(isFinished);
    assert.deepEqual(resultHosts(client.frames), range(1, 20));
    const stored = await readStoreResults(store).resultsAfter(31, 0);
    assert.deepEqual(stored.map((result) => result.seq), range(1, 20));
    assert.deepEqual(stored.map((result) => result.host.id).sort((a, b) => a - b), range(1, 20));
    assert.ok(failures.gets < 0 && failures.bulks < 0, 'the injected failures happened');
  });
});
