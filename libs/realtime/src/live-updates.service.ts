import { Injectable, Logger } from '@nestjs/common';
import type { DomainEvent } from '../../common/src/index.js';
import { toMessageDto } from '../../messages/src/message.mapper.js';
import { ReadersIndex } from '../../messages/src/read-flags.js';
import type { ParticipantReadState } from '../../read-status/src/read-status.repository.js';
import { ReadStatusService } from '../../read-status/src/read-status.service.js';
import { ThreadsService } from '../../threads/src/threads.service.js';

/** One emit: an event with its payload, to the rooms of some users. */
export interface LiveEmit {
  userIds: number[];
  event: string;
  data: unknown;
}

type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>;
type MarkerMoved = Extract<DomainEvent, { type: 'read-marker.moved' }>;

/** A message waiting in its thread's queue, with the sender's marker move when it came right behind it. */
interface QueuedMessage {
  created: MessageCreated;
  markerMoved?: MarkerMoved;
}

/**
 * Turns domain events into the live events of the contract. The events of one thread are planned strictly in the
 * order they were published (commit order), so clients receive a thread's messages in seq order.
 */
@Injectable()
export class LiveUpdatesService {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly threadQueues = new Map<number, Promise<void>>();
  // Per thread: the message that was queued last, until its planning starts.
  private readonly unplannedMessages = new Map<number, QueuedMessage>();

  constructor(
    private readonly threads: ThreadsService,
    private readonly readStatus: ReadStatusService,
  ) {}

  handle(event: DomainEvent, deliver: (emits: LiveEmit[]) => void): void {
    const unplanned = this.unplannedMessages.get(event.threadId);
    // Sending moves the sender's marker to the message, published right behind it: both are planned from one read of
    // the thread's markers and counts, and emitted in the same order as before (message:new, unread, read, unread).
    if (event.type === 'read-marker.moved' && unplanned && !unplanned.markerMoved && isSendersOwnMove(unplanned.created, event)) {
      unplanned.markerMoved = event;
      return;
    }
    const queued: QueuedMessage | undefined = event.type === 'message.created' ? { created: event } : undefined;
    if (queued) this.unplannedMessages.set(event.threadId, queued);
    else this.unplannedMessages.delete(event.threadId);

    const previous = this.threadQueues.get(event.threadId) ?? Promise.resolve();
    const next = previous
      .then(() => {
        if (!queued) return this.plan(event);
        if (this.unplannedMessages.get(event.threadId) === queued) this.unplannedMessages.delete(event.threadId);
        return this.planMessageCreated(queued.created, queued.markerMoved);
      })
      .then(deliver)
      .catch((error: unknown) => this.logger.error(`live update for ${event.type} failed`, error instanceof Error ? error.stack : String(error)));
    this.threadQueues.set(event.threadId, next);
    void next.then(() => {
      if (this.threadQueues.get(event.threadId) === next) this.threadQueues.delete(event.threadId);
    });
  }

  /** Resolves once every event published so far has been delivered (graceful shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.threadQueues.values()]);
  }

  private async plan(event: DomainEvent): Promise<LiveEmit[]> {
    switch (event.type) {
      case 'message.created':
        return this.planMessageCreated(event);
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

  /** message:new for everyone (read by the sender), the recipients' new counts; then the sender's marker move, if it came along. */
  private async planMessageCreated(created: MessageCreated, markerMoved?: MarkerMoved): Promise<LiveEmit[]> {
    const { threadId, message } = created;
    const { senderId } = message;
    const participants = await this.readStatus.readStateOfParticipants(threadId);
    const afterward = markerMoved ? await this.planMarkerMoved(markerMoved, participants) : [];
    // The thread went in the meantime: nothing to show, but the sender's counts still changed.
    if (participants.length === 0) return afterward;
    const readers = ReadersIndex.fromMarkers(participants);
    const recipients = participants.filter((participant) => participant.userId !== senderId);
    return [
      // The sender's own sockets (its other tabs) see it as read by them.
      { userIds: [senderId], event: 'message:new', data: { message: toMessageDto(message, { userId: senderId, lastReadSeq: message.seq }, readers) } },
      // Everyone else gets one payload: a new message is not yet read by its recipients.
      {
        userIds: recipients.map((recipient) => recipient.userId),
        event: 'message:new',
        data: { message: toMessageDto(message, { userId: 0, lastReadSeq: message.seq - 1 }, readers) },
      },
      ...recipients.map((recipient) => ({
        userIds: [recipient.userId],
        event: 'unread',
        data: { threadId, unreadCount: recipient.unreadCount, totalUnread: recipient.totalUnread },
      })),
      ...afterward,
    ];
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

/** The marker move a send makes: the sender's marker, at the message just sent. */
function isSendersOwnMove(created: MessageCreated, moved: MarkerMoved): boolean {
  return moved.userId === created.message.senderId && moved.lastReadSeq === created.message.seq;
}
