import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient } from 'redis';
import { AppConfig } from '../../config/src/index.js';

export type RedisCommandClient = ReturnType<typeof createClient>;

/**
 * This instance's connection for short Redis commands (rate-limit counters, the readiness probe), apart from the
 * Socket.IO adapter's publish/subscribe connections, so that they never queue behind live events. Undefined
 * without REDIS_URL. Without the offline queue a command fails at once while Redis is away; the client reconnects
 * by itself, and its users report an outage once each (the adapter logs losing Redis).
 */
@Injectable()
export class RedisCommands implements OnModuleInit, OnApplicationShutdown {
  readonly client: RedisCommandClient | undefined;

  constructor(config: AppConfig) {
    this.client = config.redisUrl ? createClient({ url: config.redisUrl, disableOfflineQueue: true }) : undefined;
    // Without a listener an error would end the process.
    this.client?.on('error', () => undefined);
  }

  onModuleInit(): void {
    // Not awaited: the server starts (and serves, and reports "not ready") while Redis is away.
    this.client?.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    // disconnect, not quit: quit waits for an answer a stalled Redis never gives.
    if (this.client?.isOpen) await this.client.disconnect().catch(() => undefined);
  }
}
