import assert from 'node:assert/strict';
import express from 'express';
import { checkHealth, healthzHandler, type HealthCheck } from '../../shared/http/health';
import { listen } from '../../shared/http/listen';

const failing = (message: string) => async () => {
  throw new Error(message);
};

describe('checkHealth', () => {
  it('answers 200 {status: ok} when every check passes (null, nothing, or a resolved ping)', async () => {
    const answer = await checkHealth([
      { name: 'a', check: () => null },
      { name: 'b', check: async () => {} },
      { name: 'c', check: async () => null },
    ]);
    assert.deepEqual(answer, { statusCode: 200, body: { status: 'ok' } });
    assert.deepEqual(await checkHealth([]), { statusCode: 200, body: { status: 'ok' } });
  });

  it('answers 503 with the first failing check in list order, its reason as given', async () => {
    const answer = await checkHealth([
      { name: 'projector', check: () => null },
      { name: 'agent API', check: () => 'event log: follow failed' },
      { name: 'read store', check: failing('down') },
    ]);
    assert.deepEqual(answer, { statusCode: 503, body: { status: 'unavailable', reason: 'event log: follow failed' } });
  });

  it('answers 200 {status: degraded} when only checks that degrade fail, and 503 when another fails too', async () => {
    const quarantine: HealthCheck = { name: 'quarantine', check: () => 'projector quarantined 1 event', degrades: true };
    assert.deepEqual(await checkHealth([{ name: 'store', check: () => null }, quarantine]), {
      statusCode: 200,
      body: { status: 'degraded', reason: 'projector quarantined 1 event' },
    });
    assert.deepEqual(await checkHealth([quarantine, { name: 'store', check: failing('down') }]), {
      statusCode: 503,
      body: { status: 'unavailable', reason: 'store: down' },
    });
  });

  it('names a check that throws or rejects in its reason', async () => {
    const answer = await checkHealth([
      { name: 'read store', check: failing('connection refused') },
      {
        name: 'results bus',
        check: () => {
          throw new Error('no broker');
        },
      },
    ]);
    assert.deepEqual(answer.body, { status: 'unavailable', reason: 'read store: connection refused' });
  });
});

describe('healthzHandler', () => {
  const checks = (healthy: { value: boolean }): HealthCheck[] => [
    { name: 'read store', check: async () => (healthy.value ? undefined : Promise.reject(new Error('closed'))) },
  ];

  async function get(handler: Parameters<typeof listen>[0]): Promise<{ status: number; type: string | null; body: unknown }> {
    const http = await listen(handler, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${http.port}/healthz`);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
    } finally {
      await http.close();
    }
  }

  it('serves a plain node:http listener', async () => {
    const healthy = { value: true };
    const handler = healthzHandler(checks(healthy));
    assert.deepEqual(await get(handler), { status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
    healthy.value = false;
    assert.deepEqual(await get(handler), {
      status: 503,
      type: 'application/json; charset=utf-8',
      body: { status: 'unavailable', reason: 'read store: closed' },
    });
  });

  it('serves an Express route', async () => {
    const healthy = { value: false };
    const app = express();
    app.get('/healthz', healthzHandler(checks(healthy)));
    assert.deepEqual(await get(app), {
      status: 503,
      type: 'application/json; charset=utf-8',
      body: { status: 'unavailable', reason: 'read store: closed' },
    });
    healthy.value = true;
    assert.deepEqual(await get(app), { status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
  });
});
