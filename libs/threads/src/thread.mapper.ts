import { toMessageDto, type MessageRecord } from '../../messages/src/message.mapper.js';
import { ReadersIndex } from '../../messages/src/read-flags.js';
import { toUserDto } from '../../users/src/user.mapper.js';
import type { ThreadDto } from './dto/thread.dto.js';
import type { Participant } from './participant.entity.js';
import type { Thread } from './thread.entity.js';
import type { ParticipantWithUser } from './threads.repository.js';
import { unreadCount } from './unread.js';

/** What every participant's view of a thread shares: built once per thread, however many viewers. */
interface SharedThreadView {
  base: Omit<ThreadDto, 'lastMessage' | 'unreadCount'>;
  readers: ReadersIndex;
}

function sharedView(thread: Thread, participants: ParticipantWithUser[]): SharedThreadView {
  return {
    base: {
      id: thread.id,
      type: thread.type,
      title: thread.title,
      participants: participants.map((p) => toUserDto(p.user)),
      createdBy: thread.createdById,
      ownerId: participants.find((p) => p.role === 'owner')?.userId ?? null,
      createdAt: thread.createdAt.toISOString(),
      updatedAt: thread.updatedAt.toISOString(),
    },
    readers: ReadersIndex.fromMarkers(participants),
  };
}

function viewFor(shared: SharedThreadView, thread: Thread, viewer: Participant, lastMessage: MessageRecord | undefined): ThreadDto {
  return {
    ...shared.base,
    lastMessage: lastMessage ? toMessageDto(lastMessage, viewer, shared.readers) : null,
    unreadCount: unreadCount(thread.lastSeq, viewer),
  };
}

/** The one place a thread becomes a ThreadDto, as seen by the participant `viewer`. */
export function toThreadDto(thread: Thread, viewer: Participant, participants: ParticipantWithUser[], lastMessage: MessageRecord | undefined): ThreadDto {
  return viewFor(sharedView(thread, participants), thread, viewer, lastMessage);
}

/**
 * The thread as each of `viewers` sees it, viewers who see the same grouped together: in a big group most members
 * share their view, and each distinct view is built and sent once instead of once per member (a group of 1,000
 * otherwise makes 1,000 copies of a 1,000-member list).
 */
export function toThreadViewsByViewer(
  thread: Thread,
  viewers: Participant[],
  participants: ParticipantWithUser[],
  lastMessage: MessageRecord | undefined,
): { userIds: number[]; thread: ThreadDto }[] {
  const shared = sharedView(thread, participants);
  const groups = new Map<string, { userIds: number[]; thread: ThreadDto }>();
  for (const viewer of viewers) {
    const view = viewFor(shared, thread, viewer, lastMessage);
    // All that depends on the viewer (see viewFor): its unread count and whether it has read the last message.
    const key = `${view.unreadCount}/${String(view.lastMessage?.readByMe)}`;
    const group = groups.get(key);
    if (group) group.userIds.push(viewer.userId);
    else groups.set(key, { userIds: [viewer.userId], thread: view });
  }
  return [...groups.values()];
}
