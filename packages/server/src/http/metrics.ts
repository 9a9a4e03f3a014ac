import type { VerifyCode } from '@keymint/api';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app (its own registry, so several apps can live in one test process). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'keymint_http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'keymint_http_request_duration_seconds',
    help: 'HTTP request latency from arrival to response, by route.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly verifications = new Counter({
    name: 'keymint_verifications_total',
    help: 'Key verifications by outcome code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  /** Time spent inside the verify handler (no network): the service latency. */
  readonly verifyDuration = new Histogram({
    name: 'keymint_verify_duration_seconds',
    help: 'Time inside the verify handler, excluding network and HTTP parsing.',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });

  private readonly series = new Map<string, { requests: Counter.Internal; duration: Histogram.Internal<'route' | 'method'> }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'keymint_' });
  }

  countVerification(code: VerifyCode): void {
    this.verifications.inc({ code });
  }

  /** Counts and times every response, labelled by route pattern (never the raw URL). */
  install(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.countRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  /** Counts and times one answered request (`seconds` from arrival to response). */
  countRequest(route: string, method: string, status: number, seconds: number): void {
    const series = this.seriesOf(route, method, status);
    series.requests.inc();
    series.duration.observe(seconds);
  }

  /**
   * The labelled children of one route, method and status, made once: labelling hashes the
   * label set on every call, which the hot path need not pay. Route patterns, not URLs, so the
   * set is bounded.
   */
  private seriesOf(route: string, method: string, status: number) {
    const name = `${method} ${route} ${status}`;
    let series = this.series.get(name);
    if (!series) {
      series = { requests: this.requests.labels({ route, method, status }), duration: this.duration.labels({ route, method }) };
      this.series.set(name, series);
    }
    return series;
  }
}
