import { Injectable } from '@nestjs/common';
import { DomainEvents, messageNotFound, type Actor } from '../../common/src/index.js';
import { MessagesRepository } from '../../messages/src/messages.repository.js';
import { ThreadsRepository } from '../../threads/src/threads.repository.js';
import { ThreadsService } from '../../threads/src/threads.service.js';
import type { ReadStateDto, ThreadUnreadCountDto, UnreadSummaryDto } from './dto/read-state.dto.js';
import { markerAfterMarkingUnread, markerAfterReading } from './read-marker.js';
import { ReadStatusRepository, type ParticipantReadState } from './read-status.repository.js';

@Injectable()
export class ReadStatusService {
  constructor(
    private readonly threads: ThreadsService,
    private readonly threadRecords: ThreadsRepository,
    private readonly messages: MessagesRepository,
    private readonly markers: ReadStatusRepository,
    private readonly events: DomainEvents,
  ) {}

  /** Reads the message and everything before it. With `threadId`, the message must belong to that thread. */
  async markRead(actor: Actor, messageId: number, threadId?: number): Promise<ReadStateDto> {
    const message = await this.requireVisibleMessage(actor, messageId, threadId);
    return this.moveMarker(actor, message.threadId, (current) => markerAfterReading(current, message.seq));
  }

  /** Makes the message and everything after it unread for the caller. With `threadId`, the message must belong to that thread. */
  async markUnread(actor: Actor, messageId: number, threadId?: number): Promise<ReadStateDto> {
    const message = await this.requireVisibleMessage(actor, messageId, threadId);
    return this.moveMarker(actor, message.threadId, (current) => markerAfterMarkingUnread(current, message.seq));
  }

  /** Reads the thread up to a message of it, or entirely. */
  async readThread(actor: Actor, threadId: number, messageId?: number): Promise<ReadStateDto> {
    await this.threads.requireMembership(actor, threadId);
    if (messageId === undefined) return this.moveMarker(actor, threadId, (current, lastSeq) => markerAfterReading(current, lastSeq));
    const message = await this.messages.findById(messageId);
    if (!message || message.threadId !== threadId) throw messageNotFound();
    return this.moveMarker(actor, threadId, (current) => markerAfterReading(current, message.seq));
  }

  async threadUnreadCount(actor: Actor, threadId: number): Promise<ThreadUnreadCountDto> {
    await this.threads.requireMembership(actor, threadId);
    return { threadId, unreadCount: await this.markers.findThreadUnreadCount(threadId, actor.id) };
  }

  async unreadSummary(actor: Actor): Promise<UnreadSummaryDto> {
    const threads = await this.markers.findUnreadByThread(actor.id);
    return { totalUnread: threads.reduce((sum, thread) => sum + thread.unreadCount, 0), threads };
  }

  async totalUnread(actor: Actor): Promise<number> {
    return this.markers.findTotalUnread(actor.id);
  }

  /** Counts of several users at once, for live notifications after a thread changed (not an actor's request). */
  unreadCountsFor(threadId: number, userIds: number[]): Promise<{ userId: number; unreadCount: number; totalUnread: number }[]> {
    return this.markers.findUnreadCountsForUsers(threadId, userIds);
  }

  /** Every participant's marker and counts in one query, for live notifications after a thread changed (not an actor's request). */
  readStateOfParticipants(threadId: number): Promise<ParticipantReadState[]> {
    return this.markers.findParticipantsReadState(threadId);
  }

  /** A message the caller may see: one of a thread it is in. Otherwise 404, as if it did not exist. */
  private async requireVisibleMessage(actor: Actor, messageId: number, threadId: number | undefined): Promise<{ threadId: number; seq: number }> {
    const message = await this.messages.findById(messageId);
    if (!message || (threadId !== undefined && message.threadId !== threadId)) throw messageNotFound();
    const membership = await this.threadRecords.findThreadForParticipant(message.threadId, actor.id);
    if (!membership) throw messageNotFound();
    return message;
  }

  private async moveMarker(actor: Actor, threadId: number, target: (current: number, threadLastSeq: number) => number): Promise<ReadStateDto> {
    const move = await this.markers.moveReadMarker(threadId, actor.id, target);
    if (move.moved)
      this.events.publish({ type: 'read-marker.moved', threadId, userId: actor.id, lastReadSeq: move.lastReadSeq, readAt: move.readAt ?? new Date() });
    const totalUnread = await this.markers.findTotalUnread(actor.id);
    return { threadId, lastReadSeq: move.lastReadSeq, unreadCount: move.unreadCount, totalUnread };
  }
}
