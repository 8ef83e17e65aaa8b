import { Logger } from '@nestjs/common';
import type { RedisCommandClient } from '../../common/src/index.js';
import { RateLimitStore, type RateLimitHit } from './rate-limit.store.js';

// One round trip per hit: count in a fixed window and, once over the limit, block for the block time.
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blockedFor = tonumber(ARGV[3])
end
return { hits, blockedFor }
`;

// Redis answers in well under a millisecond; a Redis that does not answer must not hold up sign-ins and sends.
const ANSWER_TIMEOUT_MS = 500;
const RETRY_AFTER_FAILURE_MS = 5_000;
const UNCHECKED: RateLimitHit = { hits: 0, blocked: false, blockedForMs: 0 };

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The counters in Redis, so that every instance sees the same counts. While Redis cannot be reached a hit is
 * allowed (and logged once): losing rate limiting for a moment is better than refusing every sign-in and message.
 */
export class RedisRateLimitStore extends RateLimitStore {
  private readonly log = new Logger('RateLimit');
  // Logged once per outage, not once per request.
  private unchecked = false;
  // After a failure, Redis is left alone for a while, so that a stalled Redis costs one timeout, not one per request.
  private retryAt = 0;

  /** `client`: the instance's Redis command connection (RedisCommands); `keyPrefix`: the deployment's REDIS_KEY_PREFIX. */
  constructor(
    private readonly client: RedisCommandClient,
    private readonly keyPrefix: string,
  ) {
    super();
  }

  async hit(key: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitHit> {
    if (Date.now() < this.retryAt) return UNCHECKED;
    try {
      const redisKey = `${this.keyPrefix}:rate:${key}`;
      const [hits, blockedForMs] = (await withTimeout(
        this.client.eval(HIT, { keys: [redisKey, `${redisKey}:blocked`], arguments: [String(windowMs), String(limit), String(blockMs)] }),
        ANSWER_TIMEOUT_MS,
      )) as [number, number];
      if (this.unchecked) this.log.log('rate limits are checked again');
      this.unchecked = false;
      return { hits, blocked: blockedForMs > 0, blockedForMs: Math.max(0, blockedForMs) };
    } catch (error) {
      if (!this.unchecked) this.log.warn(`rate limits are not checked while Redis is unreachable: ${error instanceof Error ? error.message : String(error)}`);
      this.unchecked = true;
      this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
      return UNCHECKED;
    }
  }
}
