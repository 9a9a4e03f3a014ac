import { describe, expect, it } from 'vitest';
import { parseBuckets, quantile, subtract } from './histogram.js';

const scrape = (counts: number[]) =>
  [
    '# TYPE demo_seconds histogram',
    ...[0.001, 0.002, 0.004].map((le, i) => `demo_seconds_bucket{le="${le}"} ${counts[i]}`),
    `demo_seconds_bucket{le="+Inf"} ${counts[3]}`,
    `demo_seconds_sum 1`,
  ].join('\n');

describe('server-side latency from Prometheus buckets', () => {
  it('interpolates a quantile inside its bucket, from the difference of two scrapes', () => {
    const before = parseBuckets(scrape([10, 10, 10, 10]), 'demo_seconds');
    const after = parseBuckets(scrape([60, 110, 110, 110]), 'demo_seconds');
    const run = subtract(after, before);
    // 100 observations: 50 ≤ 1 ms, 50 in (1 ms, 2 ms].
    expect(quantile(run, 0.5)).toBeCloseTo(0.001, 9);
    expect(quantile(run, 0.99)).toBeCloseTo(0.00198, 9);
    expect(quantile(run, 0.25)).toBeCloseTo(0.0005, 9);
  });

  it('answers Infinity past the last finite bound and NaN with no observations', () => {
    expect(quantile(parseBuckets(scrape([0, 0, 90, 100]), 'demo_seconds'), 0.99)).toBe(Infinity);
    expect(quantile(parseBuckets(scrape([0, 0, 0, 0]), 'demo_seconds'), 0.99)).toBeNaN();
  });
});
