import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { catchError, defer, EMPTY, filter, type Observable } from 'rxjs';
import type { Socket as NetSocket } from 'node:net';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { RedisLink } from './redis-link.js';

interface FrameSender {
  sendFrame: (list: Buffer[], callback?: (error?: Error) => void) => void;
}

/** engine.io's view of a WebSocket connection: its `ws` socket, whose sender and TCP socket it uses itself. */
interface EngineConnection {
  transport: { name: string; socket?: { _sender?: FrameSender; _socket?: NetSocket } };
  on(event: 'upgrade', listener: (transport: EngineConnection['transport']) => void): void;
}

/**
 * One write per connection per event-loop turn instead of one per frame. ws writes every frame with its own
 * cork/uncork, so each frame is a writev system call; under load that was the largest single cost of the server
 * (a quarter of its busy time in the delivery benchmark's profile). Holding the TCP socket corked from the first frame
 * of a turn until that turn's I/O is done (setImmediate) sends all of them in one call. engine.io itself writes
 * through `ws`'s sender the same way (its pre-encoded frames), so this is the hook it relies on too.
 */
export function coalesceFrameWrites(server: Server): void {
  const engine = (server as unknown as { engine?: { on(event: 'connection', listener: (connection: EngineConnection) => void): void } }).engine;
  engine?.on('connection', (connection) => {
    coalesceTransport(connection.transport);
    connection.on('upgrade', (transport) => coalesceTransport(transport));
  });
}

function coalesceTransport(transport: EngineConnection['transport']): void {
  const sender = transport.socket?._sender;
  const tcp = transport.socket?._socket;
  if (transport.name !== 'websocket' || !sender || !tcp || typeof sender.sendFrame !== 'function') return;
  const sendFrame = sender.sendFrame.bind(sender);
  let corked = false;
  sender.sendFrame = (list, callback) => {
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      setImmediate(() => {
        corked = false;
        tcp.uncork();
      });
    }
    sendFrame(list, callback);
  };
}

/** Socket frames are capped like HTTP bodies (64 KiB); a larger frame closes that client's connection. */
export const SOCKET_MAX_PAYLOAD_BYTES = 64 * 1024;

type RedisClient = ReturnType<typeof createClient>;
type ConnectionName = 'publish' | 'subscribe';

/**
 * Socket.IO with the project's limits and CORS, and — when REDIS_URL is set — the Redis adapter, so that rooms
 * (and so every emit) span all instances.
 *
 * Redis only carries live events between instances. While it is away, each instance keeps delivering to its own
 * clients; events for the other instances' clients are dropped (not queued: a flush after the outage would replay
 * stale typing and presence, and Redis pub/sub drops what arrives before the other side has subscribed again
 * anyway). When this instance's subscription is back, the gateway greets its clients with a new `hello`, and they
 * catch up with afterSeq as after a reconnect.
 */
export class ParleyIoAdapter extends IoAdapter {
  private readonly log = new Logger('ParleyIoAdapter');
  private redisClients: RedisClient[] = [];
  private redisKey = 'socket.io';

  constructor(
    private readonly nestApp: INestApplicationContext,
    private readonly corsOrigins: string[],
  ) {
    super(nestApp);
  }

  /** `keyPrefix` names the pub/sub channels: only instances with the same prefix share rooms. */
  async connectToRedis(url: string, keyPrefix: string): Promise<void> {
    // Without the offline queue a publish while Redis is away fails at once instead of waiting in memory.
    const pub = createClient({ url, disableOfflineQueue: true });
    const sub = createClient({ url });
    this.reportOutages('publish', pub);
    this.reportOutages('subscribe', sub);
    await Promise.all([pub.connect(), sub.connect()]);
    this.guardPublishes(pub);
    this.redisClients = [pub, sub];
    this.redisKey = `${keyPrefix}:socket.io`;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: SOCKET_MAX_PAYLOAD_BYTES,
      ...(this.corsOrigins.length > 0 ? { cors: { origin: this.corsOrigins, credentials: true } } : {}),
    } as ServerOptions);
    const [pub, sub] = this.redisClients;
    if (pub && sub) server.adapter(createAdapter(pub, sub, { key: this.redisKey }));
    coalesceFrameWrites(server);
    return server;
  }

  /**
   * Nest's IoAdapter subscribes an rxjs pipeline per message handler per socket (fromEvent, mergeMap, takeUntil),
   * kept for the socket's lifetime: with five handlers that was most of the memory an idle connection holds. Here
   * each handler is one plain listener, and the pipeline exists only while a call is answered. Same semantics: the
   * payload as fromEvent gives it, Nest's mapPayload and transform, no answer for a nil result, `{event, data}`
   * results emitted, a failing handler logged without silencing the event; an answer after a disconnect goes nowhere.
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]) as { data: unknown; ack?: (response: unknown) => void };
        defer(() => transform(callback(data, ack)))
          .pipe(
            filter((response) => response !== null && response !== undefined),
            catchError((error: unknown) => {
              this.log.error(error);
              return EMPTY;
            }),
          )
          .subscribe((response) => {
            const event = response as { event?: string; data?: unknown };
            if (event.event) socket.emit(event.event, event.data);
            else if (!isAckHandledManually && typeof ack === 'function') ack(response);
          });
      });
    }
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all(this.redisClients.map((client) => client.quit().catch(() => undefined)));
    this.redisClients = [];
  }

  /**
   * One line when a connection to Redis is lost and one when it is back, however many reconnection attempts fail in
   * between (the client reconnects by itself; without an 'error' listener an error would end the process).
   */
  private reportOutages(name: ConnectionName, client: RedisClient): void {
    let lostAt: number | undefined;
    client.on('error', (error: Error) => {
      if (lostAt !== undefined) return;
      lostAt = Date.now();
      this.log.error(`lost the Redis ${name} connection (${error.message}): live events reach only this instance's clients until it is back`);
    });
    // 'ready' comes after the client has subscribed again to what it was subscribed to.
    client.on('ready', () => {
      if (lostAt === undefined) return;
      const seconds = ((Date.now() - lostAt) / 1000).toFixed(1);
      lostAt = undefined;
      this.log.log(`the Redis ${name} connection is back after ${seconds} s: live events reach every instance again`);
      if (name === 'subscribe') this.announceRestored();
    });
  }

  private announceRestored(): void {
    try {
      this.nestApp.get(RedisLink, { strict: false }).restored();
    } catch (error) {
      this.log.warn(`could not tell the clients to catch up: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * The Redis adapter publishes without awaiting the result: a publish that fails (Redis is away, or went away with
   * it in flight) would be an unhandled rejection, which ends a Node process. Such an event is lost for the other
   * instances only; their clients catch up when they are greeted again.
   */
  private guardPublishes(client: RedisClient): void {
    const publish = client.publish.bind(client) as (channel: string, message: string | Buffer) => Promise<number>;
    const guarded = (channel: string, message: string | Buffer): Promise<number> => publish(channel, message).catch(() => 0);
    client.publish = guarded as unknown as RedisClient['publish'];
  }
}
