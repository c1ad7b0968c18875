/** /healthz, /livez and /metrics for the gateway's own process; every other plain HTTP request is a 404. */
import type { RequestListener } from 'node:http';
import { healthzHandler, livezHandler, type HealthCheck } from '../../shared/http/health';
import type { Metrics } from '../../shared/observability/metrics';

export function healthAndMetricsHandler(metrics: Metrics, healthChecks: readonly HealthCheck[]): RequestListener {
  const healthz = healthzHandler(healthChecks);
  const livez = livezHandler();
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    };
    if (req.method === 'GET' && path === '/healthz') {
      healthz(req, res);
    } else if (req.method === 'GET' && path === '/livez') {
      livez(req, res);
    } else if (req.method === 'GET' && path === '/metrics') {
      void metrics.metricsHandler(req, res);
    } else {
      reply(404, 'application/json', JSON.stringify({ message: 'Resource Not Found', errors: [{ name: 'base', reason: `no route for ${req.method} ${path}` }] }));
    }
  };
}
