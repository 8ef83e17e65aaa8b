import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DomainEvent, MessageRecord, MessageReadState } from '../../common/src/index.js';
import { toMessageDtoWithFlags } from '../../messages/src/message.mapper.js';
import { MessagesService } from '../../messages/src/messages.service.js';
import { isReadBy, isReadByOthers, ReadersIndex } from '../../messages/src/read-flags.js';
import type { ParticipantReadState } from '../../read-status/src/read-status.repository.js';
import { ReadStatusService } from '../../read-status/src/read-status.service.js';
import { ThreadsService } from '../../threads/src/threads.service.js';
import { MessageUpdateOrder, type RevisedItem } from './message-update-order.js';
import { ThreadDeliveryOrder, type SequencedItem } from './thread-delivery-order.js';

/** One emit: an event with its payload, to the rooms of some users. */
export interface LiveEmit {
  userIds: number[];
  event: string;
  data: unknown;
}

type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>;
type MarkerMoved = Extract<DomainEvent, { type: 'read-marker.moved' }>;
type MessageUpdated = Extract<DomainEvent, { type: 'message.updated' }>;

/** A MessageRecord as JSON carries it between instances: times as ISO strings. */
export type WireMessageRecord = Omit<MessageRecord, 'createdAt' | 'editedAt' | 'deletedAt'> & {
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
};

/** `message.created` as it travels to the other instances (JSON: times as ISO strings). */
export interface WireMessageCreated {
  threadId: number;
  message: WireMessageRecord;
  previousAt: string | null;
  readState: MessageReadState;
}

/** `message.updated` as it travels to the other instances. */
export interface WireMessageUpdated {
  threadId: number;
  message: WireMessageRecord;
  readers: MessageUpdated['readers'];
}

/** Where planned emits go; the gateway provides it. */
export interface LiveSink {
  /** To these users' sockets on every instance. */
  broadcast(emits: LiveEmit[]): void;
  /** To these users' sockets on this instance only. */
  deliverHere(emits: LiveEmit[]): void;
  /**
   * Hands stored messages to the other instances, which deliver them to their own sockets in order. Absent on a
   * single instance: then nothing is encoded for them.
   */
  shareWithOtherInstances?(messages: WireMessageCreated[]): void;
  /** Hands changed messages to the other instances, which deliver them to their own sockets. */
  shareUpdatesWithOtherInstances?(updates: WireMessageUpdated[]): void;
}

interface OrderedMessage extends SequencedItem {
  created: MessageCreated;
}

interface OrderedUpdate extends RevisedItem {
  updated: MessageUpdated;
}

// A missing message is read from the database after this wait; a thread's first message waits at most this long
// for a predecessor stored less than STRAGGLER_WINDOW_MS before it (only after a start or a long pause).
const GAP_WAIT_MS = 150;
const STRAGGLER_WINDOW_MS = 2_000;
const IDLE_FORGET_MS = 60_000;

/**
 * Turns domain events into the live events of the contract.
 *
 * A stored message becomes one `message:new` per participant, carrying that participant's counts and the thread's
 * readByAllSeq (no read after the commit: the batch that stored it computed them). Every instance (this one, and the
 * others through Redis) delivers it to its own sockets through a ThreadDeliveryOrder, so each socket receives a
 * thread's messages in seq order without gaps, whichever instance or connection stored them.
 *
 * Other events of one thread are planned strictly in the order they were published (commit order) and broadcast.
 */
@Injectable()
export class LiveUpdatesService implements OnModuleDestroy {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly threadQueues = new Map<number, Promise<void>>();
  private readonly order: ThreadDeliveryOrder<OrderedMessage>;
  private readonly updates: MessageUpdateOrder<OrderedUpdate>;
  private sink?: LiveSink;
  private outbox: WireMessageCreated[] = [];

  constructor(
    private readonly threads: ThreadsService,
    private readonly readStatus: ReadStatusService,
    private readonly messages: MessagesService,
  ) {
    this.order = new ThreadDeliveryOrder<OrderedMessage>({
      gapWaitMs: GAP_WAIT_MS,
      stragglerWindowMs: STRAGGLER_WINDOW_MS,
      idleForgetMs: IDLE_FORGET_MS,
      deliver: (items) => {
        this.sink?.deliverHere(items.flatMap((item) => planMessageNew(item.created)));
        const { message } = items[0].created;
        this.updates.afterNew(
          message.threadId,
          items.map(({ created }) => ({ messageId: created.message.id, seq: created.message.seq, revision: created.message.revision })),
        );
      },
      readMissing: (threadId, afterSeq, beforeSeq) => this.readMissing(threadId, afterSeq, beforeSeq),
      onError: (error) => this.logger.warn(`reading missing messages failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.updates = new MessageUpdateOrder<OrderedUpdate>({
      deliver: (items) => this.sink?.deliverHere(items.flatMap((item) => planMessageUpdated(item.updated))),
      newDelivered: (threadId, seq) => this.order.hasDelivered(threadId, seq),
      forgetMs: IDLE_FORGET_MS,
    });
  }

  attach(sink: LiveSink): () => void {
    this.sink = sink;
    return () => {
      if (this.sink === sink) this.sink = undefined;
    };
  }

  onModuleDestroy(): void {
    this.order.close();
    this.updates.close();
  }

  handle(event: DomainEvent): void {
    if (event.type === 'message.updated') {
      this.sink?.shareUpdatesWithOtherInstances?.([toWireUpdate(event)]);
      this.updates.accept(toOrderedUpdate(event));
      return;
    }
    if (event.type === 'message.created') {
      this.share(event);
      this.order.accept(toOrdered(event));
      return;
    }
    const previous = this.threadQueues.get(event.threadId) ?? Promise.resolve();
    const next = previous
      .then(() => this.plan(event))
      .then((emits) => this.sink?.broadcast(emits))
      .catch((error: unknown) => this.logger.error(`live update for ${event.type} failed`, error instanceof Error ? error.stack : String(error)));
    this.threadQueues.set(event.threadId, next);
    void next.then(() => {
      if (this.threadQueues.get(event.threadId) === next) this.threadQueues.delete(event.threadId);
    });
  }

  /** Messages another instance stored: delivered to this instance's sockets, in order. */
  acceptFromOtherInstance(messages: unknown): void {
    if (!Array.isArray(messages)) return;
    for (const wire of messages as WireMessageCreated[]) {
      if (typeof wire?.threadId !== 'number' || typeof wire.message?.seq !== 'number' || !wire.readState) continue;
      this.order.accept(
        toOrdered({
          type: 'message.created',
          threadId: wire.threadId,
          message: fromWireRecord(wire.message),
          previousAt: wire.previousAt === null ? null : new Date(wire.previousAt),
          readState: wire.readState,
        }),
      );
    }
  }

  /** Changed messages another instance stored: delivered to this instance's sockets, the newest state last. */
  acceptUpdatesFromOtherInstance(updates: unknown): void {
    if (!Array.isArray(updates)) return;
    for (const wire of updates as WireMessageUpdated[]) {
      if (typeof wire?.threadId !== 'number' || typeof wire.message?.revision !== 'number' || !Array.isArray(wire.readers)) continue;
      this.updates.accept(toOrderedUpdate({ type: 'message.updated', threadId: wire.threadId, message: fromWireRecord(wire.message), readers: wire.readers }));
    }
  }

  /** The messages of one event-loop turn go to the other instances as one packet. */
  private share(event: MessageCreated): void {
    if (!this.sink?.shareWithOtherInstances) return;
    this.outbox.push({
      threadId: event.threadId,
      message: toWireRecord(event.message),
      previousAt: event.previousAt?.toISOString() ?? null,
      readState: event.readState,
    });
    if (this.outbox.length > 1) return;
    queueMicrotask(() => {
      const messages = this.outbox;
      this.outbox = [];
      this.sink?.shareWithOtherInstances?.(messages);
    });
  }

  /** Stored messages this instance never received (their publisher died, or Redis dropped them), with today's counts. */
  private async readMissing(threadId: number, afterSeq: number, beforeSeq: number): Promise<OrderedMessage[]> {
    const [records, participants] = await Promise.all([
      this.messages.findForDelivery(threadId, afterSeq, beforeSeq),
      this.readStatus.readStateOfParticipants(threadId),
    ]);
    const readers = ReadersIndex.fromMarkers(participants);
    return records.map((message, i) =>
      toOrdered({
        type: 'message.created',
        threadId,
        message,
        previousAt: i === 0 ? null : records[i - 1].createdAt,
        readState: {
          readByAllSeq: readers.readByAllSeq,
          isRead: readers.lowestMarkerExcept(message.senderId) >= message.seq,
          participants: participants.map(({ userId, unreadCount, totalUnread }) => ({ userId, unreadCount, totalUnread })),
        },
      }),
    );
  }

  /** Resolves once every event published so far has been delivered (graceful shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.threadQueues.values()]);
  }

  /** Everything but stored messages, which go through the order keeper. */
  private async plan(event: Exclude<DomainEvent, MessageCreated | MessageUpdated>): Promise<LiveEmit[]> {
    switch (event.type) {
      case 'read-marker.moved':
        return this.planMarkerMoved(event, await this.readStatus.readStateOfParticipants(event.threadId));
      case 'thread.created':
        return this.planThreadViews('thread:new', event.threadId);
      case 'thread.updated':
        return [
          ...(await this.planThreadViews('thread:updated', event.threadId)),
          ...(event.removedUserIds.length > 0 ? [{ userIds: event.removedUserIds, event: 'thread:deleted', data: { threadId: event.threadId } }] : []),
          ...(await this.planUnreadCounts(event.threadId, event.removedUserIds)),
        ];
      case 'thread.deleted':
        return [
          { userIds: event.participantIds, event: 'thread:deleted', data: { threadId: event.threadId } },
          ...(await this.planUnreadCounts(event.threadId, event.participantIds)),
        ];
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled domain event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async planMarkerMoved(event: MarkerMoved, participants: ParticipantReadState[]): Promise<LiveEmit[]> {
    const { threadId, userId, lastReadSeq, readAt } = event;
    const readByAllSeq = ReadersIndex.fromMarkers(participants).readByAllSeq;
    const mover = participants.find((participant) => participant.userId === userId);
    return [
      {
        userIds: participants.map((participant) => participant.userId),
        event: 'read',
        data: { threadId, userId, lastReadSeq, readAt: readAt.toISOString(), readByAllSeq },
      },
      // One who has left the thread since still gets its counts over its other threads.
      ...(mover
        ? [{ userIds: [userId], event: 'unread', data: { threadId, unreadCount: mover.unreadCount, totalUnread: mover.totalUnread } }]
        : await this.planUnreadCounts(threadId, [userId])),
    ];
  }

  private async planThreadViews(event: 'thread:new' | 'thread:updated', threadId: number): Promise<LiveEmit[]> {
    const views = await this.threads.viewsForParticipants(threadId);
    return views.map((view) => ({ userIds: view.userIds, event, data: { thread: view.thread } }));
  }

  private async planUnreadCounts(threadId: number, userIds: number[]): Promise<LiveEmit[]> {
    const counts = await this.readStatus.unreadCountsFor(threadId, userIds);
    const byUser = new Map(counts.map((count) => [count.userId, count]));
    // A user with no threads left has no row: its counts are zero.
    return userIds.map((userId) => ({
      userIds: [userId],
      event: 'unread',
      data: { threadId, unreadCount: byUser.get(userId)?.unreadCount ?? 0, totalUnread: byUser.get(userId)?.totalUnread ?? 0 },
    }));
  }
}

const toWireRecord = (message: MessageRecord): WireMessageRecord => ({
  ...message,
  createdAt: message.createdAt.toISOString(),
  editedAt: message.editedAt?.toISOString() ?? null,
  deletedAt: message.deletedAt?.toISOString() ?? null,
});

const fromWireRecord = (message: WireMessageRecord): MessageRecord => ({
  ...message,
  createdAt: new Date(message.createdAt),
  editedAt: message.editedAt === null ? null : new Date(message.editedAt),
  deletedAt: message.deletedAt === null ? null : new Date(message.deletedAt),
});

const toWireUpdate = ({ threadId, message, readers }: MessageUpdated): WireMessageUpdated => ({ threadId, message: toWireRecord(message), readers });

function toOrderedUpdate(updated: MessageUpdated): OrderedUpdate {
  return { messageId: updated.message.id, threadId: updated.threadId, seq: updated.message.seq, revision: updated.message.revision, updated };
}

/**
 * One `message:updated` per group of participants that see the same flags: its sender (readByMe always), those who
 * have read up to it, those who have not. The flags are as of the change's own transaction.
 */
export function planMessageUpdated({ message, readers }: MessageUpdated): LiveEmit[] {
  const isRead = isReadByOthers(ReadersIndex.fromMarkers(readers), message);
  const groups = new Map<boolean, number[]>();
  for (const reader of readers) {
    const readByMe = isReadBy(reader, message);
    groups.set(readByMe, [...(groups.get(readByMe) ?? []), reader.userId]);
  }
  return [...groups].map(([readByMe, userIds]) => ({
    userIds,
    event: 'message:updated',
    data: { message: toMessageDtoWithFlags(message, { readByMe, isRead }) },
  }));
}

function toOrdered(created: MessageCreated): OrderedMessage {
  return { threadId: created.threadId, seq: created.message.seq, previousAt: created.previousAt?.getTime() ?? null, created };
}

/**
 * One `message:new` per participant with its own counts; participants whose counts are equal share one emit. The
 * sender sees the message as read by itself; a send causes no other frame.
 */
export function planMessageNew({ message, readState }: MessageCreated): LiveEmit[] {
  const { readByAllSeq, isRead } = readState;
  const forRecipients = toMessageDtoWithFlags(message, { readByMe: false, isRead });
  const groups = new Map<string, LiveEmit>();
  const emits: LiveEmit[] = [];
  for (const { userId, unreadCount, totalUnread } of readState.participants) {
    if (userId === message.senderId) {
      emits.push({ userIds: [userId], event: 'message:new', data: { message: { ...forRecipients, readByMe: true }, unreadCount, totalUnread, readByAllSeq } });
      continue;
    }
    const key = `${unreadCount}:${totalUnread}`;
    const group = groups.get(key);
    if (group) group.userIds.push(userId);
    else groups.set(key, { userIds: [userId], event: 'message:new', data: { message: forRecipients, unreadCount, totalUnread, readByAllSeq } });
  }
  return [...emits, ...groups.values()];
}
