import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { RedisCommands } from '../../common/src/index.js';
import type { AppConfig } from '../../config/src/index.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

describe('RedisRateLimitStore without Redis', () => {
  let redis: RedisCommands | undefined;
  let silent: Server | undefined;
  const connect = (url: string): RedisRateLimitStore => {
    redis = new RedisCommands({ redisUrl: url } as AppConfig);
    redis.onModuleInit();
    return new RedisRateLimitStore(redis.client as NonNullable<RedisCommands['client']>, 'parley-spec');
  };
  afterEach(async () => {
    await redis?.onApplicationShutdown();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  });

  it('lets hits through at once when nothing listens at REDIS_URL', async () => {
    const store = connect('redis://127.0.0.1:1');
    for (let i = 0; i < 3; i += 1) expect(await store.hit('k', 1000, 1, 1000)).toEqual({ hits: 0, blocked: false, blockedForMs: 0 });
  });

  it('lets hits through at once when Redis accepts connections but never answers', async () => {
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const store = connect(`redis://127.0.0.1:${port}`);
    expect(await store.hit('k', 1000, 1, 1000)).toMatchObject({ blocked: false });
  });
});
