import { Global, Module } from '@nestjs/common';
import { RedisCommands } from '../../common/src/index.js';
import { AppConfig } from '../../config/src/index.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.service.js';
import { MemoryRateLimitStore, RateLimitStore } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

@Global()
@Module({
  providers: [
    {
      provide: RateLimitStore,
      inject: [RedisCommands, AppConfig],
      // Shared counters when instances share Redis; per-process counters otherwise.
      useFactory: (redis: RedisCommands, config: AppConfig): RateLimitStore =>
        redis.client ? new RedisRateLimitStore(redis.client, config.redisKeyPrefix) : new MemoryRateLimitStore(),
    },
    RateLimiter,
    RateLimitGuard,
  ],
  exports: [RateLimiter, RateLimitGuard],
})
export class RateLimitModule {}
