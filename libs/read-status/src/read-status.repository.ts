import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { threadNotFound } from '../../common/src/index.js';
import { PreparedStatements } from '../../database/src/prepared-statements.js';
import { unreadCount } from '../../threads/src/unread.js';

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
  moved: boolean;
}

/** Per-thread unread count straight from the markers; the same expression as unreadCount(). */
const UNREAD_SQL = 'GREATEST(0, t.last_seq - p.last_read_seq - p.own_after_marker)';

@Injectable()
export class ReadStatusRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Moves a participant's marker to `target(current)` under its row lock, and recounts the participant's own
   * messages after the new marker (they never count as unread), so listing counts stays O(1).
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
        return { lastReadSeq, readAt: current.readAt, unreadCount: unreadCount(current.lastSeq, current), moved: false };
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
      return { lastReadSeq, readAt: updated[0]?.read_at ?? null, unreadCount: unreadCount(current.lastSeq, { lastReadSeq, ownAfterMarker }), moved: true };
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
    const rows: { total: number }[] = await this.statements.query(
      'read-status.total-unread',
      `SELECT COALESCE(SUM(${UNREAD_SQL}), 0)::int AS total FROM participants p JOIN threads t ON t.id = p.thread_id WHERE p.user_id = $1`,
      [userId],
    );
    return rows[0]?.total ?? 0;
  }

  /** For each user: unread in this thread and in total, in one query (fan-out after a message). */
  async findUnreadCountsForUsers(threadId: number, userIds: number[]): Promise<{ userId: number; unreadCount: number; totalUnread: number }[]> {
    if (userIds.length === 0) return [];
    return this.statements.query(
      'read-status.counts-for-users',
      `SELECT p.user_id AS "userId",
              COALESCE(SUM(${UNREAD_SQL}) FILTER (WHERE p.thread_id = $1), 0)::int AS "unreadCount",
              COALESCE(SUM(${UNREAD_SQL}), 0)::int AS "totalUnread"
         FROM participants p JOIN threads t ON t.id = p.thread_id
        WHERE p.user_id = ANY($2)
        GROUP BY p.user_id`,
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
      `SELECT p.user_id AS "userId", p.last_read_seq AS "lastReadSeq", ${UNREAD_SQL} AS "unreadCount", totals.total AS "totalUnread"
         FROM participants p JOIN threads t ON t.id = p.thread_id
         CROSS JOIN LATERAL (
           SELECT COALESCE(SUM(GREATEST(0, ot.last_seq - op.last_read_seq - op.own_after_marker)), 0)::int AS total
             FROM participants op JOIN threads ot ON ot.id = op.thread_id
            WHERE op.user_id = p.user_id
         ) totals
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
