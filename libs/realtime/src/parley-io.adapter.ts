import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/** Socket frames are capped like HTTP bodies (64 KiB); a larger frame closes that client's connection. */
export const SOCKET_MAX_PAYLOAD_BYTES = 64 * 1024;

type RedisClient = ReturnType<typeof createClient>;

/**
 * Socket.IO with the project's limits and CORS, and — when REDIS_URL is set — the Redis adapter, so that rooms
 * (and so every emit) span all instances.
 */
export class ParleyIoAdapter extends IoAdapter {
  private readonly log = new Logger('ParleyIoAdapter');
  private redisClients: RedisClient[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: string[],
  ) {
    super(app);
  }

  async connectToRedis(url: string): Promise<void> {
    const pub = createClient({ url });
    const sub = pub.duplicate();
    for (const [name, client] of [['publish', pub] as const, ['subscribe', sub] as const]) {
      // Without a listener an error would crash the process; the client reconnects by itself.
      client.on('error', (error: Error) => this.log.error(`redis ${name} connection: ${error.message}`));
    }
    await Promise.all([pub.connect(), sub.connect()]);
    this.redisClients = [pub, sub];
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: SOCKET_MAX_PAYLOAD_BYTES,
      ...(this.corsOrigins.length > 0 ? { cors: { origin: this.corsOrigins, credentials: true } } : {}),
    } as ServerOptions);
    const [pub, sub] = this.redisClients;
    if (pub && sub) server.adapter(createAdapter(pub, sub));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all(this.redisClients.map((client) => client.quit().catch(() => undefined)));
    this.redisClients = [];
  }
}
