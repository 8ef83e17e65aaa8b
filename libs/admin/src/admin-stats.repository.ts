import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { containsPattern } from './resources/parley-resource.js';

export interface DashboardCounts {
  users: number;
  threads: number;
  /** Messages stored since midnight UTC. */
  messagesToday: number;
  /** Unread messages over every participant of every thread. */
  unreadBacklog: number;
}

/** The admin panel's read-only queries: dashboard counts and what list pages show beside the columns. */
@Injectable()
export class AdminStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findDashboardCounts(): Promise<DashboardCounts> {
    // Unread per participant is the same O(1) expression the API uses; no message is scanned for it.
    const rows: DashboardCounts[] = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM threads) AS threads,
              (SELECT count(*)::int FROM messages WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "messagesToday",
              (SELECT COALESCE(SUM(GREATEST(0, t.last_seq - p.last_read_seq - p.own_after_marker)), 0)::int
                 FROM participants p JOIN threads t ON t.id = p.thread_id) AS "unreadBacklog"`,
    );
    return rows[0];
  }

  /** Participants' usernames of each thread, in joining order. */
  async findParticipantNames(threadIds: number[]): Promise<Map<number, string[]>> {
    const rows: { threadId: number; names: string[] }[] = await this.dataSource.query(
      `SELECT p.thread_id AS "threadId", array_agg(u.username ORDER BY p.joined_at, u.id) AS names
         FROM participants p JOIN users u ON u.id = p.user_id
        WHERE p.thread_id = ANY($1)
        GROUP BY p.thread_id`,
      [threadIds],
    );
    return new Map(rows.map((row) => [row.threadId, row.names]));
  }

  async findThreadIdsOfUser(userId: number): Promise<number[]> {
    const rows: { threadId: number }[] = await this.dataSource.query(`SELECT thread_id AS "threadId" FROM participants WHERE user_id = $1`, [userId]);
    return rows.map((row) => row.threadId);
  }

  /** Threads whose title or a participant's username contains the text (the thread picker's search). */
  async findThreadIdsMatching(text: string): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(
      `SELECT t.id FROM threads t WHERE t.title ILIKE $1
        UNION
       SELECT p.thread_id FROM participants p JOIN users u ON u.id = p.user_id WHERE u.username ILIKE $1 OR u.display_name ILIKE $1
        LIMIT 500`,
      [containsPattern(text)],
    );
    return rows.map((row) => row.id);
  }

  async findLastSeqs(threadIds: number[]): Promise<Map<number, number>> {
    const rows: { id: number; lastSeq: number }[] = await this.dataSource.query(`SELECT id, last_seq AS "lastSeq" FROM threads WHERE id = ANY($1)`, [
      threadIds,
    ]);
    return new Map(rows.map((row) => [row.id, row.lastSeq]));
  }
}
