import { toMessageDto, type MessageRecord } from '../../messages/src/message.mapper.js';
import { ReadersIndex } from '../../messages/src/read-flags.js';
import { toUserDto } from '../../users/src/user.mapper.js';
import type { ThreadDto } from './dto/thread.dto.js';
import type { Participant } from './participant.entity.js';
import type { Thread } from './thread.entity.js';
import type { ParticipantWithUser } from './threads.repository.js';
import { unreadCount } from './unread.js';

/** The one place a thread becomes a ThreadDto, as seen by the participant `viewer`. */
export function toThreadDto(thread: Thread, viewer: Participant, participants: ParticipantWithUser[], lastMessage: MessageRecord | undefined): ThreadDto {
  const readers = ReadersIndex.fromMarkers(participants);
  return {
    id: thread.id,
    type: thread.type,
    title: thread.title,
    participants: participants.map((p) => toUserDto(p.user)),
    createdBy: thread.createdById,
    ownerId: participants.find((p) => p.role === 'owner')?.userId ?? null,
    createdAt: thread.createdAt.toISOString(),
    updatedAt: thread.updatedAt.toISOString(),
    lastMessage: lastMessage ? toMessageDto(lastMessage, viewer, readers) : null,
    unreadCount: unreadCount(thread.lastSeq, viewer),
  };
}
