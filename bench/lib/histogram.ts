/** Cumulative bucket counts of one Prometheus histogram: upper bound (seconds) → count. */
export type Buckets = Map<number, number>;

/** Reads the `_bucket` lines of histogram `name` (no labels besides `le`) from Prometheus text. */
export function parseBuckets(text: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const match of text.matchAll(pattern)) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The observations between two scrapes of the same histogram. */
export function subtract(after: Buckets, before: Buckets): Buckets {
  return new Map([...after].map(([le, count]) => [le, count - (before.get(le) ?? 0)]));
}

/**
 * The `q` quantile (0..1) of a histogram, interpolated linearly inside its bucket as
 * Prometheus's `histogram_quantile` does; `Infinity` when it falls in the `+Inf` bucket and
 * NaN with no observations.
 */
export function quantile(buckets: Buckets, q: number): number {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = buckets.get(le)!;
    if (count >= rank) {
      if (le === Infinity) return Infinity;
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-9);
    }
    lower = le;
    below = count;
  }
  return Infinity;
}
