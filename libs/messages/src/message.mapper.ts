import type { MessageRecord } from '../../common/src/index.js';
import { toUserDto } from '../../users/src/user.mapper.js';
import type { MessageDto } from './dto/message.dto.js';
import { isReadBy, isReadByOthers, type ReadersIndex, type ReadMarker } from './read-flags.js';

// Defined beside the domain events, which carry it.
export type { MessageRecord };

/** The one place a message becomes a MessageDto, with the read flags as the viewer sees them. */
export function toMessageDto(message: MessageRecord, viewer: ReadMarker, readers: ReadersIndex): MessageDto {
  return toMessageDtoWithFlags(message, { readByMe: isReadBy(viewer, message), isRead: isReadByOthers(readers, message) });
}

/** The same with flags already known (a message just stored, whose read state came with it). */
export function toMessageDtoWithFlags(message: MessageRecord, flags: { readByMe: boolean; isRead: boolean }): MessageDto {
  return {
    id: message.id,
    threadId: message.threadId,
    seq: message.seq,
    sender: toUserDto(message.sender),
    text: message.text,
    createdAt: message.createdAt.toISOString(),
    clientMessageId: message.clientMessageId,
    readByMe: flags.readByMe,
    isRead: flags.isRead,
  };
}
