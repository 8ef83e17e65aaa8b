import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { threadNotFound } from '../../common/src/index.js';
import { PreparedStatements } from '../../database/src/prepared-statements.js';
import { UNREAD_COUNT_SQL as UNREAD_SQL, unreadCount } from '../../threads/src/unread.js';

/** A participant's read state in a thread, with its total over all its threads. */
export interface ParticipantReadState {
  userId: number;
  lastReadSeq: number;
  unreadCount: number;
  totalUnread: number;
}

export interface MarkerMove {
  lastReadSeq: number;
  readAt: Date | null;
  unreadCount: number;
  /** The user's unread over all its threads, right after the move. */
  totalUnread: number;
  moved: boolean;
}

@Injectable()
export class ReadStatusRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Moves a participant's marker to `target(current)` under its row lock, recounts the participant's own messages
   * after the new marker (they never count as unread), so listing counts stays O(1), and moves the user's unread
   * total by the change of its count here.
   */
  moveReadMarker(threadId: number, userId: number, target: (current: number, threadLastSeq: number) => number): Promise<MarkerMove> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { lastReadSeq: number; ownAfterMarker: number; readAt: Date | null; lastSeq: number }[] = await manager.query(
        `SELECT p.last_read_seq AS "lastReadSeq", p.own_after_marker AS "ownAfterMarker", p.read_at AS "readAt", t.last_seq AS "lastSeq"
           FROM participants p JOIN threads t ON t.id = p.thread_id
          WHERE p.thread_id = $1 AND p.user_id = $2
          FOR UPDATE OF p`,
        [threadId, userId],
      );
      const current = rows[0];
      if (!current) throw threadNotFound();
      const lastReadSeq = Math.max(0, Math.min(target(current.lastReadSeq, current.lastSeq), current.lastSeq));
      if (lastReadSeq === current.lastReadSeq) {
        const [user] = await manager.query<{ totalUnread: number }[]>(`SELECT unread_total AS "totalUnread" FROM users WHERE id = $1`, [userId]);
        return { lastReadSeq, readAt: current.readAt, unreadCount: unreadCount(current.lastSeq, current), totalUnread: user?.totalUnread ?? 0, moved: false };
      }
      const own: { count: number }[] =
        lastReadSeq >= current.lastSeq
          ? [{ count: 0 }]
          : await manager.query(`SELECT count(*)::int AS count FROM messages WHERE thread_id = $1 AND sender_id = $2 AND seq > $3`, [
              threadId,
              userId,
              lastReadSeq,
            ]);
      const ownAfterMarker = own[0]?.count ?? 0;
      const [updated]: [{ read_at: Date }[], number] = await manager.query(
        `UPDATE participants SET last_read_seq = $3, own_after_marker = $4, read_at = now() WHERE thread_id = $1 AND user_id = $2 RETURNING read_at`,
        [threadId, userId, lastReadSeq, ownAfterMarker],
      );
      // The change of the count here, without last_seq: the thread row is not locked, so the last_seq read above may
      // be older than the one the total has counted (a send committed meanwhile); it cancels out of the difference.
      const unreadChange = current.lastReadSeq + current.ownAfterMarker - (lastReadSeq + ownAfterMarker);
      const [totals]: [{ totalUnread: number }[], number] = await manager.query(
        `UPDATE users SET unread_total = unread_total + $2 WHERE id = $1 RETURNING unread_total AS "totalUnread"`,
        [userId, unreadChange],
      );
      return {
        lastReadSeq,
        readAt: updated[0]?.read_at ?? null,
        unreadCount: unreadCount(current.lastSeq, { lastReadSeq, ownAfterMarker }),
        totalUnread: totals[0]?.totalUnread ?? 0,
        moved: true,
      };
    });
  }

  async findThreadUnreadCount(threadId: number, userId: number): Promise<number> {
    const rows: { unread: number }[] = await this.statements.query(
      'read-status.thread-unread',
      `SELECT ${UNREAD_SQL} AS unread FROM participants p JOIN threads t ON t.id = p.thread_id WHERE p.thread_id = $1 AND p.user_id = $2`,
      [threadId, userId],
    );
    return rows[0]?.unread ?? 0;
  }

  async findTotalUnread(userId: number): Promise<number> {
    const rows: { total: number }[] = await this.statements.query('read-status.total-unread', `SELECT unread_total AS total FROM users WHERE id = $1`, [
      userId,
    ]);
    return rows[0]?.total ?? 0;
  }

  /** For each user: unread in this thread (0 when no longer in it) and in total, in one query (after a thread changed). */
  async findUnreadCountsForUsers(threadId: number, userIds: number[]): Promise<{ userId: number; unreadCount: number; totalUnread: number }[]> {
    if (userIds.length === 0) return [];
    return this.statements.query(
      'read-status.counts-for-users',
      `SELECT u.id AS "userId", COALESCE(${UNREAD_SQL}, 0)::int AS "unreadCount", u.unread_total AS "totalUnread"
         FROM users u
         LEFT JOIN participants p ON p.user_id = u.id AND p.thread_id = $1
         LEFT JOIN threads t ON t.id = p.thread_id
        WHERE u.id = ANY($2)`,
      [threadId, userIds],
    );
  }

  /**
   * Every participant of a thread with its marker, its unread count there and in total, in one query: what the live
   * events after a message or a marker move carry (receipts, badges).
   */
  findParticipantsReadState(threadId: number): Promise<ParticipantReadState[]> {
    return this.statements.query(
      'read-status.participants',
      `SELECT p.user_id AS "userId", p.last_read_seq AS "lastReadSeq", ${UNREAD_SQL} AS "unreadCount", u.unread_total AS "totalUnread"
         FROM participants p JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.user_id
        WHERE p.thread_id = $1`,
      [threadId],
    );
  }

  /** Threads with unread messages, newest activity first. */
  findUnreadByThread(userId: number): Promise<{ threadId: number; unreadCount: number }[]> {
    return this.statements.query(
      'read-status.unread-by-thread',
      `SELECT t.id AS "threadId", ${UNREAD_SQL} AS "unreadCount"
         FROM participants p JOIN threads t ON t.id = p.thread_id
        WHERE p.user_id = $1 AND ${UNREAD_SQL} > 0
        ORDER BY t.updated_at DESC, t.id DESC`,
      [userId],
    );
  }
}
