import { Logger, UseFilters, UseGuards, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { parse as parseCookies } from 'cookie';
import type { Server, Socket } from 'socket.io';
import { AuthService } from '../../auth/src/auth.service.js';
import { ParleyPassport } from '../../auth/src/parley-passport.js';
import { isSameOrigin, SESSION_COOKIE } from '../../auth/src/web-session.strategy.js';
import { DomainEvents, StrictValidationPipe, UnauthorizedError, type Actor } from '../../common/src/index.js';
import type { MessageDto } from '../../messages/src/dto/message.dto.js';
import { MessagesService } from '../../messages/src/messages.service.js';
import { SendAdmissionGuard } from '../../messages/src/send-admission.guard.js';
import type { ReadStateDto } from '../../read-status/src/dto/read-state.dto.js';
import { RateLimit, RateLimiter } from '../../rate-limit/src/index.js';
import { PresenceTracker } from '../../presence/src/presence-tracker.js';
import { ReadStatusService } from '../../read-status/src/read-status.service.js';
import { ThreadsRepository } from '../../threads/src/threads.repository.js';
import { toUserDto } from '../../users/src/user.mapper.js';
import { UsersService } from '../../users/src/users.service.js';
import { EditMessageEventDto, MessageEventDto, MessageMarkerEventDto, SendMessageEventDto, ThreadEventDto, TypingEventDto } from './dto/socket-events.dto.js';
import { LiveUpdatesService, type LiveEmit, type WireMessageCreated, type WireMessageUpdated } from './live-updates.service.js';
import { RedisLink } from './redis-link.js';
import { AppConfig } from '../../config/src/index.js';
import { handshakeRefusal, SocketErrorFilter } from './socket-errors.js';
import { TypingService } from './typing.service.js';

/** What the handshake established about a connection. */
interface SocketSession {
  actor: Actor;
}

export const userRoom = (userId: number): string => `user:${userId}`;

/** The server-side event that carries stored messages to the other instances (through the Redis adapter). */
const MESSAGES_FROM_OTHER_INSTANCES = 'parley:messages';
/** The same for changed (edited, deleted, moderated) messages. */
const UPDATES_FROM_OTHER_INSTANCES = 'parley:message-updates';

/** A validated payload. Only the payload: the socket parameter is never run through a pipe. */
const Payload = (): ParameterDecorator => MessageBody(StrictValidationPipe);

// setTimeout cannot wait longer than this (about 24.8 days).
const MAX_TIMER_MS = 2_147_483_647;

const session = (socket: Socket): SocketSession => socket.data as SocketSession;

/**
 * The Socket.IO surface of the contract: authenticate the handshake, validate, call one service, acknowledge.
 * Live events come from domain events (LiveUpdatesService), never from the handlers themselves.
 */
@WebSocketGateway()
@UseFilters(SocketErrorFilter)
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeGateway.name);
  private unsubscribe?: () => void;
  private stopGreetingAgain?: () => void;
  // Set when the application starts shutting down: connections closing then are not "going offline".
  private shuttingDown = false;
  private readonly expiryTimers = new WeakMap<Socket, NodeJS.Timeout>();
  // Sockets counted by the presence tracker, each uncounted once when it goes.
  private readonly present = new WeakSet<Socket>();
  // Other instances share this one's rooms through Redis.
  private readonly scaledOut: boolean;

  @WebSocketServer()
  private readonly server: Server;

  constructor(
    private readonly auth: AuthService,
    private readonly passport: ParleyPassport,
    private readonly users: UsersService,
    private readonly messages: MessagesService,
    private readonly readStatus: ReadStatusService,
    private readonly threadRecords: ThreadsRepository,
    private readonly typing: TypingService,
    private readonly liveUpdates: LiveUpdatesService,
    private readonly events: DomainEvents,
    private readonly rateLimiter: RateLimiter,
    private readonly redisLink: RedisLink,
    private readonly presence: PresenceTracker,
    config: AppConfig,
  ) {
    this.scaledOut = config.redisUrl !== undefined;
  }

  /**
   * Runs before the socket server closes (SIGTERM, app.close()): deliver what is already planned, tell this
   * instance's clients to reconnect (to another instance, or to this one once it is back), then stop emitting.
   */
  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    this.stopGreetingAgain?.();
    await this.liveUpdates.drain();
    this.server?.local.emit('server:shutdown', { reconnect: true, message: 'The server is restarting; reconnect and fetch what you missed with afterSeq.' });
    this.shuttingDown = true;
  }

  /** Every connection proves who it is before it is accepted: an access JWT in `auth.token`, or the web session cookie. */
  afterInit(server: Server): void {
    // Subscribed here, not at module init: an application context without a socket server (the seed) emits nothing.
    const detach = this.liveUpdates.attach({
      broadcast: (emits) => this.deliver(emits, false),
      deliverHere: (emits) => this.deliver(emits, true),
      ...(this.scaledOut
        ? {
            shareWithOtherInstances: (messages: WireMessageCreated[]) => {
              if (!this.shuttingDown) server.serverSideEmit(MESSAGES_FROM_OTHER_INSTANCES, messages);
            },
            shareUpdatesWithOtherInstances: (updates: WireMessageUpdated[]) => {
              if (!this.shuttingDown) server.serverSideEmit(UPDATES_FROM_OTHER_INSTANCES, updates);
            },
          }
        : {}),
    });
    const unsubscribe = this.events.subscribe((event) => this.liveUpdates.handle(event));
    this.unsubscribe = () => {
      unsubscribe();
      detach();
    };
    if (this.scaledOut) {
      server.of('/').on(MESSAGES_FROM_OTHER_INSTANCES, (messages: unknown) => {
        if (!this.shuttingDown) this.liveUpdates.acceptFromOtherInstance(messages);
      });
      server.of('/').on(UPDATES_FROM_OTHER_INSTANCES, (updates: unknown) => {
        if (!this.shuttingDown) this.liveUpdates.acceptUpdatesFromOtherInstance(updates);
      });
    }
    this.stopGreetingAgain = this.redisLink.onRestored(() => {
      this.greetAgain().catch((error: unknown) => this.logger.warn(`greeting clients again failed: ${error instanceof Error ? error.message : String(error)}`));
    });
    server.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: unknown) => {
          const refusal = handshakeRefusal(error);
          if (refusal.message === 'unavailable') this.logger.warn(`handshake failed: ${error instanceof Error ? error.message : String(error)}`);
          next(refusal);
        },
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { actor } = session(socket);
    this.present.add(socket);
    this.presence.connected(actor.id);
    await socket.join(userRoom(actor.id));
    try {
      const [me, totalUnread, contacts] = await Promise.all([
        this.users.getMe(actor),
        this.readStatus.totalUnread(actor),
        this.threadRecords.findContactIds(actor.id),
      ]);
      // Online by definition: this socket is connected (the database learns it within PRESENCE_FLUSH_MS).
      socket.emit('hello', { user: toUserDto({ ...me, online: true }), totalUnread });
      this.announcePresence(contacts, actor.id, true);
    } catch (error) {
      // No hello without its data (the account is gone, or the database is down). Socket.IO clients do not
      // reconnect by themselves after a server-side disconnect; the inbox and the CLI try again after a pause.
      this.logger.warn(`connection of user ${actor.id} refused: ${error instanceof Error ? error.message : String(error)}`);
      socket.disconnect(true);
    }
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const state = session(socket);
    if (!state.actor) return;
    clearTimeout(this.expiryTimers.get(socket));
    if (this.present.delete(socket)) this.presence.disconnected(state.actor.id);
    if (this.shuttingDown) return;
    // Nest does not await this handler: a failure here (database or Redis unreachable) would end the process.
    try {
      // Online while any socket of the user is connected, on any instance.
      const remaining = await this.server.in(userRoom(state.actor.id)).fetchSockets();
      if (remaining.length > 0 || this.shuttingDown) return;
      const contacts = await this.threadRecords.findContactIds(state.actor.id);
      if (!this.shuttingDown) this.announcePresence(contacts, state.actor.id, false);
    } catch (error) {
      this.logger.warn(`presence "offline" of user ${state.actor.id} not sent: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  @SubscribeMessage('message:send')
  @RateLimit('messageSend')
  @UseGuards(SendAdmissionGuard)
  async sendMessage(@ConnectedSocket() socket: Socket, @Payload() body: SendMessageEventDto): Promise<{ ok: true; message: MessageDto }> {
    const { message } = await this.messages.send(session(socket).actor, body.threadId, { text: body.text, clientMessageId: body.clientMessageId });
    return { ok: true, message };
  }

  /** The same rules and answers as PATCH /api/v1/messages/{id}/; counted with sends (message writes). */
  @SubscribeMessage('message:edit')
  @RateLimit('messageSend')
  async editMessage(@ConnectedSocket() socket: Socket, @Payload() body: EditMessageEventDto): Promise<{ ok: true; message: MessageDto }> {
    return { ok: true, message: await this.messages.edit(session(socket).actor, body.messageId, { text: body.text }) };
  }

  /** The same rules as DELETE /api/v1/messages/{id}/: `{ok: true}` also when it was deleted already. */
  @SubscribeMessage('message:delete')
  @RateLimit('messageSend')
  async deleteMessage(@ConnectedSocket() socket: Socket, @Payload() body: MessageEventDto): Promise<{ ok: true }> {
    await this.messages.delete(session(socket).actor, body.messageId);
    return { ok: true };
  }

  @SubscribeMessage('message:read')
  async markRead(@ConnectedSocket() socket: Socket, @Payload() body: MessageMarkerEventDto): Promise<{ ok: true } & ReadStateDto> {
    return { ok: true, ...(await this.readStatus.markRead(session(socket).actor, body.messageId, body.threadId)) };
  }

  @SubscribeMessage('message:unread')
  async markUnread(@ConnectedSocket() socket: Socket, @Payload() body: MessageMarkerEventDto): Promise<{ ok: true } & ReadStateDto> {
    return { ok: true, ...(await this.readStatus.markUnread(session(socket).actor, body.messageId, body.threadId)) };
  }

  @SubscribeMessage('thread:read')
  async readThread(@ConnectedSocket() socket: Socket, @Payload() body: ThreadEventDto): Promise<{ ok: true } & ReadStateDto> {
    return { ok: true, ...(await this.readStatus.readThread(session(socket).actor, body.threadId)) };
  }

  @SubscribeMessage('typing')
  async typingUpdate(@ConnectedSocket() socket: Socket, @Payload() body: TypingEventDto): Promise<{ ok: true; relayed: boolean }> {
    const { actor } = session(socket);
    const recipients = await this.typing.relay(actor, body.threadId, body.isTyping);
    if (recipients && recipients.length > 0) {
      this.server.to(recipients.map(userRoom)).emit('typing', { threadId: body.threadId, userId: actor.id, isTyping: body.isTyping });
    }
    return { ok: true, relayed: recipients !== null };
  }

  /**
   * Redis is back after an outage: this instance's clients may have missed events sent through other instances
   * meanwhile. A new `hello` (per user, to this instance's sockets only) makes them catch up with afterSeq, exactly
   * as after a reconnect.
   */
  private async greetAgain(): Promise<void> {
    const actors = new Map<number, Actor>();
    for (const socket of await this.server.local.fetchSockets()) {
      const { actor } = socket.data as SocketSession;
      if (actor) actors.set(actor.id, actor);
    }
    for (const actor of actors.values()) {
      try {
        const [me, totalUnread] = await Promise.all([this.users.getMe(actor), this.readStatus.totalUnread(actor)]);
        this.server.local.to(userRoom(actor.id)).emit('hello', { user: toUserDto({ ...me, online: true }), totalUnread });
      } catch (error) {
        this.logger.warn(`user ${actor.id} not greeted again after Redis returned: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** To the user's contacts only. `to([])` would be every socket of the server: a user without contacts tells nobody. */
  private announcePresence(contactIds: number[], userId: number, online: boolean): void {
    if (contactIds.length > 0) this.server.to(contactIds.map(userRoom)).emit('presence', { userId, online });
  }

  /** `here`: to this instance's sockets only (messages, which every instance delivers in order itself). */
  private deliver(emits: LiveEmit[], here: boolean): void {
    if (this.shuttingDown) return;
    const target = here ? this.server.local : this.server;
    for (const { userIds, event, data } of emits) {
      if (userIds.length > 0) target.to(userIds.length === 1 ? userRoom(userIds[0]) : userIds.map(userRoom)).emit(event, data);
    }
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token === 'string' && token.length > 0) {
      const { actor, expiresAt } = await this.passport.verifyAccessToken(token);
      await this.rateLimiter.consume('socketConnect', { userId: actor.id });
      const state: SocketSession = { actor };
      // An expired token ends the connection with a reason the client can act on: refresh, then reconnect.
      const expiryTimer = setTimeout(
        () => {
          socket.emit('auth:expired', { code: 'token_expired', message: 'The access token expired; refresh it and reconnect.' });
          socket.disconnect(true);
        },
        Math.min(Math.max(0, expiresAt.getTime() - Date.now()), MAX_TIMER_MS),
      );
      expiryTimer.unref();
      // Beside the socket, not in socket.data: other instances receive socket.data (fetchSockets); a timer cannot travel.
      this.expiryTimers.set(socket, expiryTimer);
      socket.data = state;
      return;
    }
    const cookie = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
    if (!cookie) throw new UnauthorizedError('not_authenticated', 'no credentials');
    if (!isSameOrigin(socket.handshake.headers)) {
      throw new UnauthorizedError('cross_origin', 'cookie-authenticated connection from another origin');
    }
    const actor = await this.auth.authenticateWebSession(cookie);
    await this.rateLimiter.consume('socketConnect', { userId: actor.id });
    socket.data = { actor } satisfies SocketSession;
  }
}
