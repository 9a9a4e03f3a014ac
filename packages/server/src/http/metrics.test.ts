import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

/** prom-client's own metrics, declared as `Metrics` declares its series: what `/metrics` showed before the tallies. */
function promClientTwin() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'keymint_http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'keymint_http_request_duration_seconds',
    help: 'HTTP request latency from arrival to response, by route.',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const verifications = new Counter({
    name: 'keymint_verifications_total',
    help: 'Key verifications by outcome code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const verifyDuration = new Histogram({
    name: 'keymint_verify_duration_seconds',
    help: 'Time inside the verify handler, excluding network and HTTP parsing.',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  return {
    registry,
    countRequest: (route: string, method: string, status: number, seconds: number) => {
      requests.inc({ route, method, status });
      duration.observe({ route, method }, seconds);
    },
    observeVerify: (seconds: number) => verifyDuration.observe(seconds),
    countVerification: (code: string) => verifications.inc({ code }),
  };
}

describe('metrics', () => {
  it('expose the same lines and JSON as prom-client counters and histograms given the same observations', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const twin = promClientTwin();
    expect(await metrics.registry.metrics()).toBe(await twin.registry.metrics());
    // Values on bucket bounds, between them and past the last; several routes, methods and statuses.
    const seconds = [0, 0.00001, 0.0000101, 0.0005, 0.0007, 0.001, 0.3, 2.5, 2.6, 40];
    for (const [i, value] of seconds.entries()) {
      for (const [route, method, status] of [
        ['/v1/keys/verify', 'POST', 200],
        ['/v1/keys/verify', 'POST', 401],
        ['/v1/keys/:id', 'GET', 404],
      ] as const) {
        if (i % 3 === 0 || route === '/v1/keys/verify') {
          metrics.countRequest(route, method, status, value);
          twin.countRequest(route, method, status, value);
        }
      }
      metrics.verifyDuration.observe(value / 100);
      twin.observeVerify(value / 100);
      const code = i % 4 === 0 ? 'NOT_FOUND' : 'VALID';
      metrics.countVerification(code);
      twin.countVerification(code);
    }
    const text = await metrics.registry.metrics();
    expect(text).toContain('keymint_http_requests_total{route="/v1/keys/verify",method="POST",status="200"} 10');
    expect(text).toBe(await twin.registry.metrics());
    expect(await metrics.registry.getMetricsAsJSON()).toEqual(await twin.registry.getMetricsAsJSON());
  });
});
