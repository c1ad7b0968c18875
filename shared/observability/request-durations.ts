/**
 * `http_request_duration_seconds`: the histogram every HTTP request is timed into, by method,
 * route pattern and status code. Kept here rather than in a prom-client Histogram because the
 * osquery check-in path times every request and prom-client's `observe` (label object, label
 * validation, a hash string built per call) cost about 2.5 µs, a sixth of what a bare node:http
 * check-in costs in all (test/bench/checkins.bench.ts): here a route's series is looked up once
 * (`forRoute`) and an observation is a small Map lookup by status code and two increments.
 *
 * It is a prom-client metric object (name, help, type, aggregator, get, reset) registered on the
 * service's registry, so prom-client still renders /metrics, adds the default labels and escapes:
 * the exposition is the one a prom-client Histogram gives (cumulative `le` buckets, `+Inf`,
 * `_sum`, `_count`, in that order per series).
 */
import type { Histogram, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

type HttpLabel = 'method' | 'route' | 'status_code';
type Labels = Record<HttpLabel, string>;

interface Series {
  labels: Labels;
  /** counts[i]: observations in (upperBounds[i-1], upperBounds[i]]; the last one: above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Value {
  labels: { le?: number | string };
  sharedLabels: Labels;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/** One method and route's series, by status code. */
export interface RouteDurations {
  observe(statusCode: number, seconds: number): void;
}

export class RequestDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly routes = new Map<string, Map<number, Series>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
  ) {}

  /** Registers this metric on `registry` (prom-client types only its own metric classes). */
  register(registry: Registry): void {
    registry.registerMetric(this as unknown as Histogram<HttpLabel>);
  }

  /** The series of `method` (already normalised) and `route`; keep it and observe through it. */
  forRoute(method: string, route: string): RouteDurations {
    const key = `${method} ${route}`;
    let byStatus = this.routes.get(key);
    if (!byStatus) {
      byStatus = new Map();
      this.routes.set(key, byStatus);
    }
    const statuses = byStatus;
    return {
      observe: (statusCode, seconds) => {
        let series = statuses.get(statusCode);
        if (!series) {
          series = { labels: { method, route, status_code: String(statusCode) }, counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
          statuses.set(statusCode, series);
        }
        let bucket = 0;
        while (bucket < this.upperBounds.length && seconds > this.upperBounds[bucket]) bucket++;
        series.counts[bucket]++;
        series.sum += seconds;
        series.count++;
      },
    };
  }

  /** What the registry renders /metrics from: the series' labels as prom-client's `sharedLabels`. */
  async getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const byStatus of this.routes.values()) {
      for (const series of byStatus.values()) {
        let cumulative = 0;
        this.upperBounds.forEach((bound, index) => {
          cumulative += series.counts[index];
          values.push({ labels: { le: bound }, sharedLabels: series.labels, value: cumulative, metricName: bucket, exemplar: null });
        });
        values.push({ labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: bucket, exemplar: null });
        values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined });
        values.push({ labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count`, exemplar: undefined });
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As prom-client's Histogram.get: each value's labels with the series' labels after `le`. */
  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const data = await this.getForPromString();
    const values = data.values.map(({ sharedLabels, labels, ...value }) => ({ ...value, labels: { ...labels, ...sharedLabels } }));
    return { ...data, values } as unknown as MetricObjectWithValues<MetricValueWithName<string>>;
  }

  /** Empties every series; route handles given out stay valid. */
  reset(): void {
    for (const byStatus of this.routes.values()) byStatus.clear();
  }
}
