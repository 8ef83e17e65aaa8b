import type { MessageReadState } from '../../common/src/index.js';

/** A participant's marker in a thread before a batch of sends, as the batch's statement read it. */
export interface ParticipantBefore {
  threadId: number;
  userId: number;
  lastReadSeq: number;
  ownAfterMarker: number;
}

/** What a batch stored, in commit order: the message with its thread, seq and sender. */
export interface StoredInBatch {
  threadId: number;
  seq: number;
  senderId: number;
}

export interface BatchStateBefore {
  /** Each thread's last seq before the batch. */
  threadLastSeq: Map<number, number>;
  /** Every participant of the batch's threads. */
  participants: ParticipantBefore[];
  /** Per user: unread over the threads that are not in the batch. */
  unreadElsewhere: Map<number, number>;
}

interface Marker {
  userId: number;
  lastReadSeq: number;
  ownAfterMarker: number;
  unread: number;
}

/**
 * Every participant's counts right after each message of a batch, from the state before it: what `message:new`
 * carries, with no read after the commit. Replays the batch as the statement applied it: each message takes the
 * thread's next seq and is unread for everyone but its sender, whose marker moves to it (own messages never count).
 */
export function readStatesAfterEachMessage(before: BatchStateBefore, messages: readonly StoredInBatch[]): MessageReadState[] {
  const markersByThread = new Map<number, Marker[]>();
  const totals = new Map<number, number>(before.unreadElsewhere);
  for (const participant of before.participants) {
    const lastSeq = before.threadLastSeq.get(participant.threadId) ?? 0;
    const unread = Math.max(0, lastSeq - participant.lastReadSeq - participant.ownAfterMarker);
    let markers = markersByThread.get(participant.threadId);
    if (!markers) markersByThread.set(participant.threadId, (markers = []));
    markers.push({ userId: participant.userId, lastReadSeq: participant.lastReadSeq, ownAfterMarker: participant.ownAfterMarker, unread });
    totals.set(participant.userId, (totals.get(participant.userId) ?? 0) + unread);
  }
  return messages.map(({ threadId, seq, senderId }) => {
    const markers = markersByThread.get(threadId) ?? [];
    let readByAllSeq = Number.POSITIVE_INFINITY;
    let lowestOther = Number.POSITIVE_INFINITY;
    for (const marker of markers) {
      if (marker.userId === senderId) {
        totals.set(senderId, (totals.get(senderId) ?? 0) - marker.unread);
        marker.lastReadSeq = seq;
        marker.ownAfterMarker = 0;
        marker.unread = 0;
      } else {
        marker.unread += 1;
        totals.set(marker.userId, (totals.get(marker.userId) ?? 0) + 1);
        lowestOther = Math.min(lowestOther, marker.lastReadSeq);
      }
      readByAllSeq = Math.min(readByAllSeq, marker.lastReadSeq);
    }
    return {
      readByAllSeq: Number.isFinite(readByAllSeq) ? readByAllSeq : seq,
      isRead: lowestOther >= seq,
      participants: markers.map((marker) => ({ userId: marker.userId, unreadCount: marker.unread, totalUnread: totals.get(marker.userId) ?? 0 })),
    };
  });
}
