import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { UserRecord } from '../../common/src/index.js';
import { PreparedStatements } from '../../database/src/prepared-statements.js';
import { MESSAGE_RECORD_SQL_COLUMNS, toMessageRecord, type MessageRecord, type MessageRecordRow } from '../../messages/src/message.mapper.js';
import { onlineSql } from '../../presence/src/presence.sql.js';
import { Participant, type ParticipantRole } from './participant.entity.js';
import { THREAD_DTO_JOINS_SQL, threadDtoJsonSql } from './thread.mapper.js';
import { Thread, type ThreadType } from './thread.entity.js';

/** A participant row with its user, for thread views. */
export interface ParticipantWithUser {
  threadId: number;
  userId: number;
  role: ParticipantRole;
  lastReadSeq: number;
  user: UserRecord;
}

/** A participant row joined with its thread, as MEMBERSHIP_COLUMNS selects it. */
interface MembershipRow {
  thread_id: number;
  user_id: number;
  role: ParticipantRole;
  joined_at: Date;
  last_read_seq: number;
  read_at: Date | null;
  own_after_marker: number;
  type: ThreadType;
  title: string | null;
  created_by_id: number | null;
  direct_user_low_id: number | null;
  direct_user_high_id: number | null;
  last_seq: number;
  created_at: Date;
  updated_at: Date;
}

const MEMBERSHIP_COLUMNS = `p.thread_id, p.user_id, p.role, p.joined_at, p.last_read_seq, p.read_at, p.own_after_marker,
  t.type, t.title, t.created_by_id, t.direct_user_low_id, t.direct_user_high_id, t.last_seq, t.created_at, t.updated_at`;

/** The entities TypeORM would build from the row, without its per-row work (hot paths: every access check, every page). */
function toMembership(row: MembershipRow): Participant {
  const thread = Object.assign(new Thread(), {
    id: row.thread_id,
    type: row.type,
    title: row.title,
    createdById: row.created_by_id,
    directUserLowId: row.direct_user_low_id,
    directUserHighId: row.direct_user_high_id,
    lastSeq: row.last_seq,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  return Object.assign(new Participant(), {
    threadId: row.thread_id,
    userId: row.user_id,
    thread,
    role: row.role,
    joinedAt: row.joined_at,
    lastReadSeq: row.last_read_seq,
    readAt: row.read_at,
    ownAfterMarker: row.own_after_marker,
  });
}

export type RemovalOutcome = { removed: false } | { removed: true; threadDeleted: boolean; remainingIds: number[] };

@Injectable()
export class ThreadsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Participant) private readonly participants: Repository<Participant>,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * The caller's participant row with its thread, or null when the thread does not exist or the caller is not in it.
   * Every thread route checks access with this, so it is one plain statement: `findOne` with a relation costs two
   * (TypeORM first selects the distinct ids) and builds its SQL on every call.
   */
  async findThreadForParticipant(threadId: number, userId: number): Promise<Participant | null> {
    const rows: MembershipRow[] = await this.statements.query(
      'threads.membership',
      `SELECT ${MEMBERSHIP_COLUMNS} FROM participants p JOIN threads t ON t.id = p.thread_id WHERE p.thread_id = $1 AND p.user_id = $2`,
      [threadId, userId],
    );
    return rows[0] ? toMembership(rows[0]) : null;
  }

  /**
   * One direct thread per pair, even under concurrent creation: the unique index on the ordered pair decides
   * and the loser reads the winner's thread.
   */
  findOrCreateDirectThread(lowUserId: number, highUserId: number, creatorId: number): Promise<{ threadId: number; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: { id: number }[] = await manager.query(
        `INSERT INTO threads (type, created_by_id, direct_user_low_id, direct_user_high_id)
         VALUES ('direct', $1, $2, $3)
         ON CONFLICT (direct_user_low_id, direct_user_high_id) WHERE type = 'direct' DO NOTHING
         RETURNING id`,
        [creatorId, lowUserId, highUserId],
      );
      const created = inserted[0];
      if (created) {
        await manager.insert(Participant, [
          { threadId: created.id, userId: lowUserId, role: 'member' },
          { threadId: created.id, userId: highUserId, role: 'member' },
        ]);
        return { threadId: created.id, created: true };
      }
      const existing = await manager.findOneByOrFail(Thread, { type: 'direct', directUserLowId: lowUserId, directUserHighId: highUserId });
      return { threadId: existing.id, created: false };
    });
  }

  createGroupThread(title: string | null, ownerId: number, memberIds: number[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const thread = await manager.save(manager.create(Thread, { type: 'group', title, createdById: ownerId }));
      await manager.insert(
        Participant,
        memberIds.map((userId) => ({ threadId: thread.id, userId, role: userId === ownerId ? ('owner' as const) : ('member' as const) })),
      );
      return thread.id;
    });
  }

  /**
   * Every participant of a thread in joining order, each as its membership (with the thread) and as a member with its
   * user: one statement for what building every participant's view of the thread needs.
   */
  async findMembersOfThread(threadId: number): Promise<{ membership: Participant; member: ParticipantWithUser }[]> {
    const rows: (MembershipRow & { username: string; display_name: string; online: boolean })[] = await this.statements.query(
      'threads.members',
      `SELECT ${MEMBERSHIP_COLUMNS}, u.username, u.display_name, ${onlineSql('p.user_id')} AS online
         FROM participants p JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.user_id
        WHERE p.thread_id = $1
        ORDER BY p.joined_at ASC, p.user_id ASC`,
      [threadId],
    );
    return rows.map((row) => ({
      membership: toMembership(row),
      member: {
        threadId: row.thread_id,
        userId: row.user_id,
        role: row.role,
        lastReadSeq: row.last_read_seq,
        user: { id: row.user_id, username: row.username, displayName: row.display_name, online: row.online },
      },
    }));
  }

  /**
   * A page of the caller's threads as it sees them, most recently active first, serialized by PostgreSQL (a JSON
   * array of ThreadDto: participants, owner, last message with its read flags, unread count), and how many threads
   * it has in all (a window count): one statement, a second only for a page past the last one.
   */
  async findThreadPageForParticipantAsJson(userId: number, limit: number, offset: number): Promise<{ total: number; json: string }> {
    const rows: { total: number | null; json: string }[] = await this.statements.query(
      'threads.page-json',
      `WITH viewer AS (
         SELECT p.thread_id, p.last_read_seq, p.own_after_marker, t.type, t.title, t.created_by_id, t.last_seq, t.created_at, t.updated_at,
                count(*) OVER ()::int AS total
           FROM participants p JOIN threads t ON t.id = p.thread_id
          WHERE p.user_id = $1
          ORDER BY t.updated_at DESC, t.id DESC
          LIMIT $2 OFFSET $3
       )
       SELECT max(viewer.total) AS total,
              '[' || coalesce(string_agg(${threadDtoJsonSql('$1')}, ',' ORDER BY viewer.updated_at DESC, viewer.thread_id DESC), '') || ']' AS json
         FROM viewer ${THREAD_DTO_JOINS_SQL}`,
      [userId, limit, offset],
    );
    const json = rows[0]?.json ?? '[]';
    const total = rows[0]?.total ?? (offset > 0 ? await this.participants.countBy({ userId }) : 0);
    return { total, json };
  }

  /** Every participant of these threads with their users, in joining order. */
  async findParticipantsWithUsers(threadIds: number[]): Promise<ParticipantWithUser[]> {
    if (threadIds.length === 0) return [];
    const rows: (Omit<ParticipantWithUser, 'user'> & Omit<UserRecord, 'id'>)[] = await this.statements.query(
      'threads.participants-with-users',
      `SELECT p.thread_id AS "threadId", p.user_id AS "userId", p.role, p.last_read_seq AS "lastReadSeq", u.username, u.display_name AS "displayName",
              ${onlineSql('p.user_id')} AS online
         FROM participants p JOIN users u ON u.id = p.user_id
        WHERE p.thread_id = ANY($1)
        ORDER BY p.joined_at ASC, p.user_id ASC`,
      [threadIds],
    );
    return rows.map(({ username, displayName, online, ...participant }) => ({
      ...participant,
      user: { id: participant.userId, username, displayName, online },
    }));
  }

  /** The newest message of each thread (the one at its last_seq), in one query. */
  async findLastMessages(threadIds: number[]): Promise<Map<number, MessageRecord>> {
    if (threadIds.length === 0) return new Map();
    const rows: MessageRecordRow[] = await this.statements.query(
      'threads.last-messages',
      `SELECT ${MESSAGE_RECORD_SQL_COLUMNS}
         FROM threads t
         JOIN messages m ON m.thread_id = t.id AND m.seq = t.last_seq
         JOIN users u ON u.id = m.sender_id
        WHERE t.id = ANY($1)`,
      [threadIds],
    );
    return new Map(rows.map((row) => [row.threadId, toMessageRecord(row)]));
  }

  async findParticipantIds(threadId: number): Promise<number[]> {
    const rows = await this.participants.find({ select: { userId: true }, where: { threadId } });
    return rows.map((row) => row.userId);
  }

  /** Everyone who shares at least one thread with the user (for presence). */
  async findContactIds(userId: number): Promise<number[]> {
    const rows: { user_id: number }[] = await this.statements.query(
      'threads.contacts',
      `SELECT DISTINCT other.user_id FROM participants mine
         JOIN participants other ON other.thread_id = mine.thread_id AND other.user_id <> mine.user_id
        WHERE mine.user_id = $1`,
      [userId],
    );
    return rows.map((row) => row.user_id);
  }

  async deleteThread(threadId: number): Promise<void> {
    await this.dataSource.getRepository(Thread).delete({ id: threadId });
  }

  /** Adds a member whose marker starts at the thread's newest message: the history is visible, not unread. */
  addParticipant(threadId: number, userId: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await lockThread(manager, threadId, 'FOR NO KEY UPDATE');
      const inserted: unknown[] = await manager.query(
        `INSERT INTO participants (thread_id, user_id, role, last_read_seq)
         SELECT id, $2, 'member', last_seq FROM threads WHERE id = $1
         ON CONFLICT (thread_id, user_id) DO NOTHING
         RETURNING user_id`,
        [threadId, userId],
      );
      if (inserted.length === 0) return false;
      await manager.query(`UPDATE threads SET updated_at = now() WHERE id = $1`, [threadId]);
      return true;
    });
  }

  /** Removes a participant; an owner who leaves hands the group to its longest-standing member; the last one out deletes it. */
  removeParticipant(threadId: number, userId: number): Promise<RemovalOutcome> {
    return this.dataSource.transaction(async (manager) => {
      // FOR UPDATE, not NO KEY UPDATE: the last one out deletes the thread row.
      await lockThread(manager, threadId, 'FOR UPDATE');
      // TypeORM answers a DELETE … RETURNING with [rows, affectedCount].
      const [deleted]: [{ role: ParticipantRole }[], number] = await manager.query(
        `DELETE FROM participants WHERE thread_id = $1 AND user_id = $2 RETURNING role`,
        [threadId, userId],
      );
      const removedRole = deleted[0]?.role;
      if (!removedRole) return { removed: false };
      const remaining: { user_id: number }[] = await manager.query(
        `SELECT user_id FROM participants WHERE thread_id = $1 ORDER BY joined_at, user_id FOR UPDATE`,
        [threadId],
      );
      if (remaining.length === 0) {
        await manager.delete(Thread, { id: threadId });
        return { removed: true, threadDeleted: true, remainingIds: [] };
      }
      if (removedRole === 'owner') {
        await manager.update(Participant, { threadId, userId: remaining[0]?.user_id }, { role: 'owner' });
      }
      await manager.query(`UPDATE threads SET updated_at = now() WHERE id = $1`, [threadId]);
      return { removed: true, threadDeleted: false, remainingIds: remaining.map((row) => row.user_id) };
    });
  }
}

/**
 * Every transaction that changes a thread's participants or messages locks the thread row first, before any
 * participant row (sending does, in its one statement). One order for all of them: no deadlocks between a send,
 * a member leaving and the owner removing someone else.
 */
async function lockThread(manager: EntityManager, threadId: number, strength: 'FOR UPDATE' | 'FOR NO KEY UPDATE'): Promise<void> {
  await manager.query(`SELECT 1 FROM threads WHERE id = $1 ${strength}`, [threadId]);
}
