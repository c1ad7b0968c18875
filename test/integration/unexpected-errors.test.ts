/**
 * An unexpected error answers 500 in Fleet's shape with the request's id as `uuid`, and the same
 * id is on the error's log line (black box over real HTTP: the operator API in this process, on
 * embedded stores, its log lines captured). The failure is a natural one: the read store goes
 * away under a running API, so authenticating a request fails with an error the API did not expect.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { Authenticator } from '../../shared/auth/authenticator';
import { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import { listen, type Listening } from '../../shared/http/listen';
import { createLogger } from '../../shared/observability/logger';
import { createMetrics } from '../../shared/observability/metrics';
import type { EventStore } from '../../shared/ports/event-store';
import { ReadModels } from '../../shared/read-models/read-models';
import type { ApiDeps } from '../../services/api/api-deps';
import { createApiApp } from '../../services/api/app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('unexpected errors (black box)', function () {
  this.timeout(30_000);
  let dir: string;
  let eventStore: EventStore;
  let http: Listening;
  const logLines: Array<Record<string, any>> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logbook-unexpected-errors-'));
    eventStore = await openLmdbEventStore(join(dir, 'events'));
    const readStore = await openLmdbReadStore(join(dir, 'read-models'));
    const readModels = new ReadModels(readStore);
    const logger = createLogger('info', 'api', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    const deps: ApiDeps = {
      store: eventStore,
      loader: new AggregateLoader(eventStore),
      readModels,
      authenticator: new Authenticator(readModels),
      config: { readYourWritesTimeoutMs: 1_000, sessionTtlHours: 1, loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, failureWindowSeconds: 300, lockoutSeconds: 300 }, trustedProxies: [], bodyLimitBytes: 1_000_000, campaignExpirySeconds: 60, resultsRetentionDays: 0, hostDetailIntervalSeconds: 3600, hostPolicyIntervalSeconds: 3600 },
      logger,
    };
    http = await listen(createApiApp(deps, { metrics: createMetrics(), healthChecks: [] }), 0, '127.0.0.1');
    await readStore.close();
  });

  after(async () => {
    await http.close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hosts(headers: Record<string, string> = {}) {
    const res = await fetch(`http://127.0.0.1:${http.port}/api/v1/fleet/hosts`, { headers: { authorization: 'Bearer some-token', ...headers } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it('answers 500 with a uuid in the body, and logs the error with the same uuid', async () => {
    const { status, body } = await hosts();
    assert.equal(status, 500, JSON.stringify(body));
    assert.equal(body.message, 'Internal Server Error');
    assert.deepEqual(body.errors, [{ name: 'base', reason: 'an unexpected error happened; it has been logged' }]);
    assert.match(body.uuid, UUID);
    const logged = logLines.filter((line) => line.msg === 'request failed' && line.uuid === body.uuid);
    assert.equal(logged.length, 1, JSON.stringify(logLines));
    assert.equal(logged[0].level, 'error');
    assert.equal(typeof logged[0].err?.stack, 'string');
    assert.equal(logged[0].method, 'GET');
  });

  it('gives each request its own id, never the one a client sends', async () => {
    const first = await hosts({ 'x-request-id': 'chosen-by-the-client' });
    const second = await hosts({ 'x-request-id': 'chosen-by-the-client' });
    assert.equal(first.status, 500);
    assert.match(first.body.uuid, UUID);
    assert.match(second.body.uuid, UUID);
    assert.notEqual(first.body.uuid, second.body.uuid);
  });
});
