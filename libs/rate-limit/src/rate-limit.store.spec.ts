import { describe, expect, it } from '@jest/globals';
import { MemoryRateLimitStore } from './rate-limit.store.js';

describe('MemoryRateLimitStore', () => {
  const clock = (start = 1_000_000) => {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('allows `limit` hits per window, then refuses for the block time', async () => {
    const time = clock();
    const store = new MemoryRateLimitStore(time.now);
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await store.hit('k', 1000, 3, 5000));
    expect(results.map((r) => r.blocked)).toEqual([false, false, false, true]);
    expect(results[3]?.blockedForMs).toBe(5000);
    time.advance(2000);
    // The window is over, the block is not: still refused, and the wait shrinks.
    expect(await store.hit('k', 1000, 3, 5000)).toMatchObject({ blocked: true, blockedForMs: 3000 });
    time.advance(3000);
    expect(await store.hit('k', 1000, 3, 5000)).toEqual({ hits: 1, blocked: false, blockedForMs: 0 });
  });

  it('starts a fresh window after the old one ends and counts keys apart', async () => {
    const time = clock();
    const store = new MemoryRateLimitStore(time.now);
    await store.hit('a', 1000, 1, 1000);
    expect((await store.hit('b', 1000, 1, 1000)).blocked).toBe(false);
    time.advance(1000);
    expect(await store.hit('a', 1000, 1, 1000)).toEqual({ hits: 1, blocked: false, blockedForMs: 0 });
  });
});
