import type { VerifyCode } from '@keymint/api';
import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics, type Metric } from 'prom-client';

type Labels = Record<string, string | number>;

/** One labelled series of a counter: a plain number. */
interface CounterSeries {
  labels: Labels;
  value: number;
}

/** One labelled series of a histogram: per-bucket counts (not cumulative), sum and count. */
interface HistogramSeries {
  labels: Labels;
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus counter or histogram whose series the hot path updates with plain arithmetic:
 * prom-client's own `inc`/`observe` (even on a `.labels()` child) hash and validate the label
 * set on every call. The registry reads these through `get()`, which answers in prom-client's
 * export form (the same `values` its Counter and Histogram give), so `/metrics` shows the same
 * names, labels and lines. Label sets are made once by `series(…)` and kept: callers pass only
 * bounded values (route patterns, status codes, verify codes).
 */
abstract class TallyMetric<S extends { labels: Labels }> {
  readonly aggregator = 'sum';
  protected readonly all = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels` (its name: any string unique to that label set), made on first use. */
  series(name: string, labels: Labels): S {
    let series = this.all.get(name);
    if (!series) this.all.set(name, (series = this.create(labels)));
    return series;
  }

  protected abstract create(labels: Labels): S;
}

class TallyCounter extends TallyMetric<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Labels): CounterSeries {
    return { labels, value: 0 };
  }

  get() {
    const values = [...this.all.values()].map(({ labels, value }) => ({ value, labels }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }
}

class TallyHistogram extends TallyMetric<HistogramSeries> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, registry);
  }

  /** Adds one observation (seconds) to a series of this histogram. */
  observe(series: HistogramSeries, value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    if (i < bounds.length) series.buckets[i]++;
    series.sum += value;
    series.count++;
  }

  protected create(labels: Labels): HistogramSeries {
    return { labels, buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }

  get() {
    const values = [...this.all.values()].flatMap(({ labels, buckets, sum, count }) => {
      let cumulative = 0;
      const bucket = (le: number | string, value: number) => ({ value, metricName: `${this.name}_bucket`, exemplar: null, labels: { le, ...labels } });
      return [
        ...this.bounds.map((le, i) => bucket(le, (cumulative += buckets[i]))),
        bucket('+Inf', count),
        { value: sum, metricName: `${this.name}_sum`, labels: { ...labels } },
        { value: count, metricName: `${this.name}_count`, labels: { ...labels } },
      ];
    });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** The request count and latency series of one route, method and status. */
interface RouteSeries {
  requests: CounterSeries;
  duration: HistogramSeries;
}

/** Prometheus metrics of one app (its own registry, so several apps can live in one test process). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new TallyCounter('keymint_http_requests_total', 'HTTP requests by route, method and status.', this.registry);
  private readonly duration = new TallyHistogram(
    'keymint_http_request_duration_seconds',
    'HTTP request latency from arrival to response, by route.',
    this.registry,
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  private readonly verifications = new TallyCounter('keymint_verifications_total', 'Key verifications by outcome code.', this.registry);
  private readonly verifyTime = new TallyHistogram(
    'keymint_verify_duration_seconds',
    'Time inside the verify handler, excluding network and HTTP parsing.',
    this.registry,
    [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
  );
  // Unlabelled, so shown (at zero) from the start, as a histogram without labels is.
  private readonly verifySeries = this.verifyTime.series('', {});

  /** Time spent inside the verify handler (no network): the service latency. */
  readonly verifyDuration = { observe: (seconds: number) => this.verifyTime.observe(this.verifySeries, seconds) };

  private readonly routeSeries = new Map<string, RouteSeries>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'keymint_' });
  }

  countVerification(code: VerifyCode): void {
    this.verifications.series(code, { code }).value++;
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
    this.observe(this.seriesOf(route, method, status), seconds);
  }

  /**
   * `countRequest` for one route and method, its series kept by status: the fast lane holds one
   * per endpoint, so an answer builds no series name and hashes no string.
   */
  requestCounter(route: string, method: string): (status: number, seconds: number) => void {
    const byStatus = new Map<number, RouteSeries>();
    return (status, seconds) => {
      let series = byStatus.get(status);
      if (series === undefined) byStatus.set(status, (series = this.seriesOf(route, method, status)));
      this.observe(series, seconds);
    };
  }

  private observe(series: RouteSeries, seconds: number): void {
    series.requests.value++;
    this.duration.observe(series.duration, seconds);
  }

  /** The series of one route, method and status. Route patterns, not URLs, so the set is bounded. */
  private seriesOf(route: string, method: string, status: number): RouteSeries {
    const name = `${method} ${route} ${status}`;
    let series = this.routeSeries.get(name);
    if (!series) {
      series = {
        requests: this.requests.series(name, { route, method, status }),
        duration: this.duration.series(`${method} ${route}`, { route, method }),
      };
      this.routeSeries.set(name, series);
    }
    return series;
  }
}
