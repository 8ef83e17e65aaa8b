import { Injectable, Logger } from '@nestjs/common';
import type { DomainEvent } from '../../common/src/index.js';
import { toMessageDto } from '../../messages/src/message.mapper.js';
import { MessagesRepository } from '../../messages/src/messages.repository.js';
import { ReadersIndex } from '../../messages/src/read-flags.js';
import { ReadStatusService } from '../../read-status/src/read-status.service.js';
import { ThreadsRepository } from '../../threads/src/threads.repository.js';
import { ThreadsService } from '../../threads/src/threads.service.js';

/** One emit: an event with its payload, to the rooms of some users. */
export interface LiveEmit {
  userIds: number[];
  event: string;
  data: unknown;
}

/**
 * Turns domain events into the live events of the contract. The events of one thread are planned strictly in the
 * order they were published (commit order), so clients receive a thread's messages in seq order.
 */
@Injectable()
export class LiveUpdatesService {
  private readonly logger = new Logger(LiveUpdatesService.name);
  private readonly threadQueues = new Map<number, Promise<void>>();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly threads: ThreadsService,
    private readonly threadRecords: ThreadsRepository,
    private readonly readStatus: ReadStatusService,
  ) {}

  handle(event: DomainEvent, deliver: (emits: LiveEmit[]) => void): void {
    const previous = this.threadQueues.get(event.threadId) ?? Promise.resolve();
    const next = previous
      .then(() => this.plan(event))
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
        return this.planMessageCreated(event.threadId, event.messageId, event.senderId);
      case 'read-marker.moved':
        return this.planMarkerMoved(event.threadId, event.userId, event.lastReadSeq, event.readAt);
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

  private async planMessageCreated(threadId: number, messageId: number, senderId: number): Promise<LiveEmit[]> {
    const [message, markers, participantIds] = await Promise.all([
      this.messages.findById(messageId),
      this.messages.findTwoLowestMarkers(threadId),
      this.threadRecords.findParticipantIds(threadId),
    ]);
    if (!message) return [];
    const readers = ReadersIndex.fromMarkers(markers);
    const recipients = participantIds.filter((id) => id !== senderId);
    const counts = await this.readStatus.unreadCountsFor(threadId, recipients);
    return [
      // The sender's own sockets (its other tabs) see it as read by them.
      { userIds: [senderId], event: 'message:new', data: { message: toMessageDto(message, { userId: senderId, lastReadSeq: message.seq }, readers) } },
      // Everyone else gets one payload: a new message is not yet read by its recipients.
      { userIds: recipients, event: 'message:new', data: { message: toMessageDto(message, { userId: 0, lastReadSeq: message.seq - 1 }, readers) } },
      ...counts.map((count) => ({
        userIds: [count.userId],
        event: 'unread',
        data: { threadId, unreadCount: count.unreadCount, totalUnread: count.totalUnread },
      })),
    ];
  }

  private async planMarkerMoved(threadId: number, userId: number, lastReadSeq: number, readAt: Date): Promise<LiveEmit[]> {
    const [markers, participantIds] = await Promise.all([this.messages.findTwoLowestMarkers(threadId), this.threadRecords.findParticipantIds(threadId)]);
    const readByAllSeq = ReadersIndex.fromMarkers(markers).readByAllSeq;
    return [
      { userIds: participantIds, event: 'read', data: { threadId, userId, lastReadSeq, readAt: readAt.toISOString(), readByAllSeq } },
      ...(await this.planUnreadCounts(threadId, [userId])),
    ];
  }

  private async planThreadViews(event: 'thread:new' | 'thread:updated', threadId: number): Promise<LiveEmit[]> {
    const views = await this.threads.viewsForParticipants(threadId);
    return views.map((view) => ({ userIds: [view.userId], event, data: { thread: view.thread } }));
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
