import { Injectable, Logger } from '@nestjs/common';

/** A user as others see it, with whether it is connected right now (on any instance; see libs/presence). */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  online: boolean;
}

/** A stored message with its sender, as repositories return it and `message.created` carries it. */
export interface MessageRecord {
  id: number;
  threadId: number;
  seq: number;
  senderId: number;
  text: string;
  clientMessageId: string | null;
  createdAt: Date;
  /** When its text last changed (an edit or moderation); null: never. */
  editedAt: Date | null;
  /** When it was deleted or redacted: then `text` is "" (a tombstone); null: not deleted. */
  deletedAt: Date | null;
  /** 0 when stored, +1 with every change (never in a DTO): live delivery keeps only the newest. */
  revision: number;
  sender: UserRecord;
}

/** Read state of a thread right after a message was stored: what its `message:new` events carry. */
export interface MessageReadState {
  /** The highest seq every participant has read. */
  readByAllSeq: number;
  /** Everyone but the sender has read it (only in a thread where the sender is alone). */
  isRead: boolean;
  /** Each participant's unread count in the thread and in total, right after the message. */
  participants: { userId: number; unreadCount: number; totalUnread: number }[];
}

/**
 * What happened, published by services right after their transaction committed (before any further await, so
 * that events of one thread are published in commit order). Transports subscribe.
 */
export type DomainEvent =
  // The stored message itself: whoever announces it need not read it back.
  // `previousAt`: when the thread's previous message (or other activity) was stored; null for seq 1. Lets whoever
  // orders a thread's deliveries tell a message still in flight from one long delivered.
  | { type: 'message.created'; threadId: number; message: MessageRecord; previousAt: Date | null; readState: MessageReadState }
  // An edit, a delete or a moderation, as stored (revision included), with every participant's read marker in the
  // same transaction: enough for each recipient's readByMe and isRead.
  | { type: 'message.updated'; threadId: number; message: MessageRecord; readers: { userId: number; lastReadSeq: number }[] }
  | { type: 'read-marker.moved'; threadId: number; userId: number; lastReadSeq: number; readAt: Date }
  | { type: 'thread.created'; threadId: number; participantIds: number[] }
  | { type: 'thread.updated'; threadId: number; participantIds: number[]; removedUserIds: number[] }
  | { type: 'thread.deleted'; threadId: number; participantIds: number[] };

export type DomainEventListener = (event: DomainEvent) => void | Promise<void>;

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly listeners = new Set<DomainEventListener>();

  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never throws into the caller: the write already committed, a failing listener must not turn it into an error. */
  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(event);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.logger.error(`listener failed for ${event.type}`, error instanceof Error ? error.stack : String(error)));
        }
      } catch (error) {
        this.logger.error(`listener failed for ${event.type}`, error instanceof Error ? error.stack : String(error));
      }
    }
  }
}
