/** Latency figures of one measurement, in milliseconds, from raw samples. */
export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` samples: the smallest sample with at least p% of the samples at
 * or below it. No interpolation, so every figure reported is a latency that was actually observed.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function distribution(samples: readonly number[]): Distribution {
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const value of values) sum += value;
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values[values.length - 1],
    mean: sum / values.length,
  };
}

/** Rounds for reports: 0.1 ms below 10, whole numbers above. */
export function roundMs(value: number): number {
  if (!Number.isFinite(value)) return value;
  return value < 10 ? Math.round(value * 100) / 100 : Math.round(value * 10) / 10;
}

export function roundDistribution(d: Distribution): Distribution {
  return { count: d.count, p50: roundMs(d.p50), p95: roundMs(d.p95), p99: roundMs(d.p99), max: roundMs(d.max), mean: roundMs(d.mean) };
}
