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

/** Above every seq (an int4): "read by everyone else" when nobody else is left. */
export const NO_SEQ_LIMIT = 2147483647;

/** A timestamptz as a JSON string the way toISOString writes it: UTC, milliseconds truncated (as pg's parser does). */
export const isoDateJsonSql = (column: string): string => `'"' || to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

/**
 * toMessageDto in SQL, for the hot lists that PostgreSQL serializes itself (history pages, a thread's last message):
 * the same fields in the same order, compact JSON, as text. `row` is a relation with the columns of messages (id,
 * thread_id, seq, sender_id, text, client_message_id, created_at) and of the sender (username, display_name);
 * `readByMe` and `isRead` are SQL booleans. Concatenation rather than row_to_json: a third cheaper in PostgreSQL.
 * Strings go through to_json (JSON's escapes). message-json.e2e-spec.ts holds both to the same bytes.
 */
export function messageDtoJsonSql(row: string, flags: { readByMe: string; isRead: string }): string {
  return `'{"id":' || ${row}.id || ',"threadId":' || ${row}.thread_id || ',"seq":' || ${row}.seq
    || ',"sender":{"id":' || ${row}.sender_id || ',"username":' || to_json(${row}.username) || ',"displayName":' || to_json(${row}.display_name)
    || '},"text":' || to_json(${row}.text)
    || ',"createdAt":' || ${isoDateJsonSql(`${row}.created_at`)}
    || ',"clientMessageId":' || coalesce(to_json(${row}.client_message_id)::text, 'null')
    || ',"readByMe":' || (${flags.readByMe})::text || ',"isRead":' || (${flags.isRead})::text || '}'`;
}
