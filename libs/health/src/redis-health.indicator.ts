import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RedisCommands } from '../../common/src/index.js';

/** "Does Redis answer?" for /health/ready, when REDIS_URL is set, over the instance's command connection. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisCommands,
    private readonly indicators: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.redis.client !== undefined;
  }

  check(key: string, timeoutMs: number): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check(key)
      .attempt(async () => {
        if (!this.redis.client?.isReady) throw new Error('not connected');
        await this.redis.client.ping();
      })
      .withTimeout(timeoutMs);
  }
}
