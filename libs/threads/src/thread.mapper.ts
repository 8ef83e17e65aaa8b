import { isoDateJsonSql, MESSAGE_DTO_SQL_COLUMNS, messageDtoJsonSql, toMessageDto, type MessageRecord } from '../../messages/src/message.mapper.js';
import { isReadByOthersSql, isReadBySql, ReadersIndex } from '../../messages/src/read-flags.js';
import { toUserDto, userDtoJsonSql } from '../../users/src/user.mapper.js';
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

/**
 * toThreadDto in SQL, for the threads list that PostgreSQL serializes itself: the same fields in the same order,
 * compact JSON text (see messageDtoJsonSql). It reads three relations of the statement around it:
 * - `viewer`: the viewer's participant row (thread_id, last_read_seq, own_after_marker) with its thread's columns
 *   (type, title, created_by_id, last_seq, created_at, updated_at);
 * - `last`: the thread's newest message with its sender's username and display_name (all NULL when none);
 * - `members`: participants_json (the UserDto array), owner_id, and others_read (the lowest marker of everyone but
 *   the newest message's sender).
 * `viewerId` is the SQL for the viewer's user id. thread-json.e2e-spec.ts holds it to the bytes toThreadDto gives.
 */
export function threadDtoJsonSql(viewerId: string): string {
  const lastMessage = messageDtoJsonSql('last', {
    readByMe: isReadBySql('last', viewerId, 'viewer.last_read_seq'),
    isRead: isReadByOthersSql('last', 'members.others_read'),
  });
  return `'{"id":' || viewer.thread_id || ',"type":' || to_json(viewer.type) || ',"title":' || coalesce(to_json(viewer.title)::text, 'null')
    || ',"participants":' || members.participants_json
    || ',"createdBy":' || coalesce(viewer.created_by_id::text, 'null') || ',"ownerId":' || coalesce(members.owner_id::text, 'null')
    || ',"createdAt":' || ${isoDateJsonSql('viewer.created_at')} || ',"updatedAt":' || ${isoDateJsonSql('viewer.updated_at')}
    || ',"lastMessage":' || CASE WHEN last.id IS NULL THEN 'null' ELSE ${lastMessage} END
    || ',"unreadCount":' || greatest(0, viewer.last_seq - viewer.last_read_seq - viewer.own_after_marker) || '}'`;
}

/**
 * The `last` and `members` relations threadDtoJsonSql reads, for each row of `viewer`: lateral subqueries, so that
 * each is an index lookup per thread whatever the plan (grouped CTEs ran 15% faster on fresh statistics, and
 * 8× slower once a generic plan chose to scan all messages).
 */
export const THREAD_DTO_JOINS_SQL = `
  LEFT JOIN LATERAL (
    SELECT ${MESSAGE_DTO_SQL_COLUMNS}
      FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.thread_id = viewer.thread_id AND m.seq = viewer.last_seq
  ) last ON true
  CROSS JOIN LATERAL (
    SELECT '[' || string_agg(${userDtoJsonSql('u.id', 'u.username', 'u.display_name')}, ',' ORDER BY member.joined_at, member.user_id) || ']' AS participants_json,
           (array_agg(member.user_id ORDER BY member.joined_at, member.user_id) FILTER (WHERE member.role = 'owner'))[1] AS owner_id,
           min(member.last_read_seq) FILTER (WHERE member.user_id <> last.sender_id) AS others_read
      FROM participants member JOIN users u ON u.id = member.user_id WHERE member.thread_id = viewer.thread_id
  ) members`;
