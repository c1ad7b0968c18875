/**
 * Prometheus metrics on a registry of one's own (never prom-client's global one), so several
 * services, or several test instances, can live in one process without clashing names.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { RequestDurations, type RouteDurations } from './request-durations';

/** Route label of requests that no Express route matched (404s, requests ended by middleware). */
const UNMATCHED_ROUTE = 'unmatched';

const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type OwnConfiguration<C> = Omit<C, 'registers'>;

export interface MetricsOptions {
  /** Labels added to every series, e.g. `{ service: 'api' }`. */
  defaultLabels?: Record<string, string>;
  /** When set, `GET /metrics` answers 401 unless the request has `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token?: string | null;
}

export interface HttpRequestObservation {
  method: string;
  /** A route pattern such as `/api/v1/osquery/distributed/read`, never a raw URL with ids. */
  route: string;
  statusCode: number;
  durationSeconds: number;
}

export interface Metrics {
  registry: Registry;
  /** Express middleware timing every request into `http_request_duration_seconds`. */
  httpMiddleware: RequestHandler;
  /** Handler for `GET /metrics` (an Express route or a plain node:http listener). */
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Records a request served outside Express (a lean handler in front of the app). */
  observeHttpRequest(observation: HttpRequestObservation): void;
  /** The same, through a series resolved once for a method and route (for a hot path). */
  httpRoute(method: string, route: string): RouteDurations;
  /** Registers a counter on this registry; asking again for the same name returns the same one. */
  counter<L extends string = string>(configuration: OwnConfiguration<CounterConfiguration<L>>): Counter<L>;
  gauge<L extends string = string>(configuration: OwnConfiguration<GaugeConfiguration<L>>): Gauge<L>;
  histogram<L extends string = string>(
    configuration: OwnConfiguration<HistogramConfiguration<L>>,
  ): Histogram<L>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) {
    registry.setDefaultLabels(options.defaultLabels);
  }
  collectDefaultMetrics({ register: registry });

  function registerOnce<M>(name: string, kind: abstract new (...args: never[]) => unknown, create: () => M): M {
    const existing = registry.getSingleMetric(name);
    if (existing === undefined) return create();
    if (existing instanceof kind) return existing as M;
    throw new Error(`metric "${name}" is already registered as a different type`);
  }

  const counter = <L extends string>(configuration: OwnConfiguration<CounterConfiguration<L>>) =>
    registerOnce(configuration.name, Counter, () => new Counter<L>({ ...configuration, registers: [registry] }));
  const gauge = <L extends string>(configuration: OwnConfiguration<GaugeConfiguration<L>>) =>
    registerOnce(configuration.name, Gauge, () => new Gauge<L>({ ...configuration, registers: [registry] }));
  const histogram = <L extends string>(configuration: OwnConfiguration<HistogramConfiguration<L>>) =>
    registerOnce(
      configuration.name,
      Histogram,
      () => new Histogram<L>({ ...configuration, registers: [registry] }),
    );

  const requestDurations = new RequestDurations(
    'http_request_duration_seconds',
    'Duration of HTTP requests in seconds, by method, route pattern and status code',
    HTTP_DURATION_BUCKETS,
  );
  requestDurations.register(registry);
  const httpRoute = (method: string, route: string) => requestDurations.forRoute(normaliseMethod(method), route);

  function observeHttpRequest(observation: HttpRequestObservation): void {
    httpRoute(observation.method, observation.route).observe(observation.statusCode, observation.durationSeconds);
  }

  const httpMiddleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const startedAt = process.hrtime.bigint();
    const route = rememberMatchedRoute(req);
    res.once('finish', () => {
      observeHttpRequest({
        method: req.method,
        route: route.pattern ?? UNMATCHED_ROUTE,
        statusCode: res.statusCode,
        durationSeconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
      });
    });
    next();
  };

  const mayScrape = bearerCheck(options.token ?? null);
  const metricsHandler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, contentType: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    if (!mayScrape(req.headers.authorization)) {
      reply(401, 'text/plain; charset=utf-8', 'metrics need "Authorization: Bearer <METRICS_TOKEN>"\n', { 'www-authenticate': 'Bearer realm="metrics"' });
      return;
    }
    try {
      reply(200, registry.contentType, await registry.metrics());
    } catch (error) {
      reply(500, 'text/plain; charset=utf-8', `metrics unavailable: ${String(error)}`);
    }
  };

  return { registry, httpMiddleware, metricsHandler, observeHttpRequest, httpRoute, counter, gauge, histogram };
}

/**
 * Tracks the pattern of the last Express route that matched the request, with the mount path of
 * its router (`/api/v1` + `/hosts/:id`). Express assigns `req.route` when a route matches; the
 * mount path is read at that moment because routers restore `req.baseUrl` when an error leaves
 * them, before the response is sent.
 */
function rememberMatchedRoute(req: Request): { pattern: string | null } {
  const matched: { pattern: string | null } = { pattern: null };
  let current: unknown = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (route: { path?: unknown } | undefined) => {
      current = route;
      if (route?.path !== undefined) {
        matched.pattern = `${req.baseUrl ?? ''}${routePath(route.path)}` || '/';
      }
    },
  });
  return matched;
}

/** Whether an Authorization header carries the token (always, when there is none); constant time in the token. */
function bearerCheck(token: string | null): (authorization: string | undefined) => boolean {
  if (token === null) return () => true;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

function routePath(path: unknown): string {
  return Array.isArray(path) ? path.map(String).join('|') : String(path);
}

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : 'OTHER';
}
