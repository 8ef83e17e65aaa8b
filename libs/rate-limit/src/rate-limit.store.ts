/** The state of one subject's counter after a hit, the shape @nestjs/throttler's storage returns (times in ms). */
export interface RateLimitHit {
  hits: number;
  blocked: boolean;
  /** How long the subject stays refused, when blocked. */
  blockedForMs: number;
}

/** Where the counters live: in this process, or in Redis so that all instances count together. */
export abstract class RateLimitStore {
  /** Counts a hit on `key` in a window of `windowMs`; over `limit`, the key is refused for `blockMs`. */
  abstract hit(key: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitHit>;
}

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** Fixed-window counters in memory, for a single instance. */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  hit(key: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitHit> {
    const now = this.now();
    this.sweep(now, windowMs);
    let counter = this.counters.get(key);
    if (!counter || (counter.windowEndsAt <= now && counter.blockedUntil <= now)) {
      counter = { hits: 0, windowEndsAt: now + windowMs, blockedUntil: 0 };
      this.counters.set(key, counter);
    } else if (counter.windowEndsAt <= now) {
      counter.hits = 0;
      counter.windowEndsAt = now + windowMs;
    }
    counter.hits += 1;
    if (counter.blockedUntil <= now && counter.hits > limit) counter.blockedUntil = now + blockMs;
    const blockedForMs = Math.max(0, counter.blockedUntil - now);
    return Promise.resolve({ hits: counter.hits, blocked: blockedForMs > 0, blockedForMs });
  }

  /** Forgets idle counters now and then, so that memory follows the active subjects, not every one ever seen. */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < Math.max(windowMs, 60_000)) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) {
      if (counter.windowEndsAt <= now && counter.blockedUntil <= now) this.counters.delete(key);
    }
  }
}
