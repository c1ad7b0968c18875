import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { createMetrics } from '../../shared/observability/metrics';
import { RequestDurations } from '../../shared/observability/request-durations';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: Array<[method: string, route: string, status: number, seconds: number]> = [
  ['POST', '/api/v1/osquery/distributed/read', 200, 0.0004],
  ['POST', '/api/v1/osquery/distributed/read', 200, 0.001], // on a bound: counted in it, as prom-client does
  ['POST', '/api/v1/osquery/distributed/read', 401, 0.02],
  ['GET', '/api/v1/fleet/hosts/:id', 200, 3],
  ['GET', '/api/v1/fleet/hosts/:id', 404, 0.5],
];

describe('RequestDurations (http_request_duration_seconds)', () => {
  it('renders /metrics exactly as a prom-client Histogram with the same observations, default labels included', async () => {
    const theirs = new Registry();
    theirs.setDefaultLabels({ service: 'test' });
    const histogram = new Histogram({ name: 'http_request_duration_seconds', help: 'h "quoted"', labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
    const ours = new Registry();
    ours.setDefaultLabels({ service: 'test' });
    const durations = new RequestDurations('http_request_duration_seconds', 'h "quoted"', BUCKETS);
    durations.register(ours);
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      histogram.observe({ method, route, status_code: String(status) }, seconds);
      durations.forRoute(method, route).observe(status, seconds);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });

  it('keeps route handles valid across reset, which empties every series', async () => {
    const registry = new Registry();
    const durations = new RequestDurations('d', 'd', BUCKETS);
    durations.register(registry);
    const read = durations.forRoute('POST', '/r');
    read.observe(200, 0.5);
    registry.resetMetrics();
    assert.deepEqual((await durations.get()).values, []);
    read.observe(200, 0.5);
    assert.equal((await durations.get()).values.find((value) => value.metricName === 'd_count')?.value, 1);
  });

  it('is the registry metric createMetrics times HTTP requests into, with unknown methods as OTHER', async () => {
    const metrics = createMetrics();
    metrics.observeHttpRequest({ method: 'brew', route: '/coffee', statusCode: 418, durationSeconds: 0.002 });
    metrics.httpRoute('post', '/tea').observe(200, 0.002);
    const text = await metrics.registry.getSingleMetricAsString('http_request_duration_seconds');
    assert.match(text, /http_request_duration_seconds_count\{method="OTHER",route="\/coffee",status_code="418"\} 1/);
    assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/tea",status_code="200"\} 1/);
  });
});
