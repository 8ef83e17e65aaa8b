import { describe, expect, it } from '@jest/globals';
import { distribution, percentile } from '../bench/stats.js';

// The benchmark's percentiles (test/bench/stats.ts) decide whether targets are met; jest finds specs only here.
describe('benchmark percentiles', () => {
  it('answers the nearest-rank sample: the smallest with at least p% of the samples at or below it', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7, 9], 50)).toBe(7);
    expect(percentile([7, 9], 51)).toBe(9);
    expect(percentile([42], 99)).toBe(42);
  });

  it('sorts raw samples numerically, not as text', () => {
    const d = distribution([100, 9, 20, 3, 1000, 5]);
    expect(d).toMatchObject({ count: 6, p50: 9, p95: 1000, p99: 1000, max: 1000 });
    expect(d.mean).toBeCloseTo(1137 / 6);
  });

  it('reports no figures for no samples, and refuses a percentile outside (0, 100]', () => {
    expect(distribution([]).p99).toBeNaN();
    expect(() => percentile([1, 2], 0)).toThrow(RangeError);
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
  });
});
