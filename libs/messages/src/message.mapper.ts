import type { MessageRecord } from '../../common/src/index.js';
import { toUserDto, userDtoJsonSql } from '../../users/src/user.mapper.js';
import type { MessageDto } from './dto/message.dto.js';
import { isReadBy, isReadByOthers, type ReadersIndex, type ReadMarker } from './read-flags.js';
import { onlineSql } from '../../presence/src/presence.sql.js';

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
    editedAt: message.editedAt?.toISOString() ?? null,
    deletedAt: message.deletedAt?.toISOString() ?? null,
    clientMessageId: message.clientMessageId,
    readByMe: flags.readByMe,
    isRead: flags.isRead,
  };
}

/** A timestamptz as a JSON string the way toISOString writes it: UTC, milliseconds truncated (as pg's parser does). */
export const isoDateJsonSql = (column: string): string => `'"' || to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

/** The columns messageDtoJsonSql reads, from `messages m JOIN users u ON u.id = m.sender_id`. */
export const MESSAGE_DTO_SQL_COLUMNS =
  'm.id, m.thread_id, m.seq, m.sender_id, m.text, m.client_message_id, m.created_at, m.edited_at, m.deleted_at, u.username, u.display_name';

/** The columns of a MessageRecord, from `messages m JOIN users u ON u.id = m.sender_id`; toMessageRecord reads them. */
export const MESSAGE_RECORD_SQL_COLUMNS = `m.id, m.thread_id AS "threadId", m.seq, m.sender_id AS "senderId", m.text,
  m.client_message_id AS "clientMessageId", m.created_at AS "createdAt", m.edited_at AS "editedAt", m.deleted_at AS "deletedAt",
  m.revision, u.username AS "senderUsername", u.display_name AS "senderDisplayName", ${onlineSql('m.sender_id')} AS "senderOnline"`;

/** A row of MESSAGE_RECORD_SQL_COLUMNS. */
export type MessageRecordRow = Omit<MessageRecord, 'sender'> & { senderUsername: string; senderDisplayName: string; senderOnline: boolean };

export const toMessageRecord = ({ senderUsername, senderDisplayName, senderOnline, ...message }: MessageRecordRow): MessageRecord => ({
  ...message,
  sender: { id: message.senderId, username: senderUsername, displayName: senderDisplayName, online: senderOnline },
});

/** A nullable timestamptz as JSON: null, or the string isoDateJsonSql writes. */
const nullableIsoDateJsonSql = (column: string): string => `CASE WHEN ${column} IS NULL THEN 'null' ELSE ${isoDateJsonSql(column)} END`;

/**
 * toMessageDto in SQL, for the hot lists that PostgreSQL serializes itself (history pages, a thread's last message):
 * the same fields in the same order, compact JSON, as text. `row` is a relation with MESSAGE_DTO_SQL_COLUMNS;
 * `readByMe` and `isRead` are SQL booleans (isReadBySql, isReadByOthersSql). Concatenation rather than row_to_json: a third cheaper in PostgreSQL.
 * Strings go through to_json (JSON's escapes). message-json.e2e-spec.ts holds both to the same bytes.
 */
export function messageDtoJsonSql(row: string, flags: { readByMe: string; isRead: string }): string {
  return `'{"id":' || ${row}.id || ',"threadId":' || ${row}.thread_id || ',"seq":' || ${row}.seq
    || ',"sender":' || ${userDtoJsonSql(`${row}.sender_id`, `${row}.username`, `${row}.display_name`)}
    || ',"text":' || to_json(${row}.text)
    || ',"createdAt":' || ${isoDateJsonSql(`${row}.created_at`)}
    || ',"editedAt":' || ${nullableIsoDateJsonSql(`${row}.edited_at`)}
    || ',"deletedAt":' || ${nullableIsoDateJsonSql(`${row}.deleted_at`)}
    || ',"clientMessageId":' || coalesce(to_json(${row}.client_message_id)::text, 'null')
    || ',"readByMe":' || (${flags.readByMe})::text || ',"isRead":' || (${flags.isRead})::text || '}'`;
}
