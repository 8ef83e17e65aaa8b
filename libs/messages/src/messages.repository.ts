import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PreparedStatements } from '../../database/src/prepared-statements.js';
import { onlineSql } from '../../presence/src/presence.sql.js';
import {
  MESSAGE_DTO_SQL_COLUMNS,
  MESSAGE_RECORD_SQL_COLUMNS,
  messageDtoJsonSql,
  toMessageRecord,
  type MessageRecord,
  type MessageRecordRow,
} from './message.mapper.js';
import type { BatchStateBefore } from './batch-read-state.js';
import { isReadByOthersSql, isReadBySql, type ReadMarker } from './read-flags.js';

export interface NewMessage {
  threadId: number;
  senderId: number;
  text: string;
  clientMessageId: string | null;
}

/** What changeLocked applies: a new text (an edit), or the tombstone (a delete). */
export type MessageChange = { kind: 'edit'; text: string } | { kind: 'delete' };

/** One stored message of a batch, with when its thread was last active before it (null for seq 1). */
export interface StoredMessage {
  record: MessageRecord;
  previousAt: Date | null;
}

/**
 * What one batch stored: per input (same order) the message, or null when nothing was stored for it (not a
 * participant, no such thread, or a clientMessageId the sender already used); and the state before the batch.
 */
export interface StoredBatch {
  results: (StoredMessage | null)[];
  before: BatchStateBefore;
}

/**
 * One row of the batch statement's answer: a stored message ('m', its sender's `online` as 0/1 in `d`), a thread
 * ('t'), a participant ('p'), a total ('o').
 */
interface BatchRow {
  kind: 'm' | 't' | 'p' | 'o';
  a: number | null;
  b: number | null;
  c: number | null;
  d: number | null;
  at: Date | null;
  s1: string | null;
  s2: string | null;
}

// PostgreSQL's unique_violation and deadlock_detected: a batch that met a concurrent send of the same
// clientMessageId (or, in theory, a lock cycle) is run again; its new snapshot sees the other one.
const RETRYABLE_CODES = new Set(['23505', '40P01']);
const BATCH_ATTEMPTS = 3;

/**
 * One multi-row statement for the whole batch, run after the batch's threads are locked (so its snapshot sees every
 * committed membership change and message of them): per row the membership check and the idempotency check, seq
 * numbered per thread in input order, the threads' last_seq and each sender's marker moved once. It answers the
 * stored rows and, from the same snapshot (which does not see the statement's own writes), the state before the batch.
 */
const INSERT_BATCH_SQL = `WITH input AS (
   SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY AS i(thread_id, sender_id, text, client_message_id, ord)
 ), accepted AS (
   SELECT i.ord, i.thread_id, i.sender_id, i.text, i.client_message_id,
          t.last_seq + row_number() OVER (PARTITION BY i.thread_id ORDER BY i.ord) AS seq
     FROM input i
     JOIN threads t ON t.id = i.thread_id
     JOIN participants p ON p.thread_id = i.thread_id AND p.user_id = i.sender_id
    WHERE i.client_message_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.sender_id = i.sender_id AND m.client_message_id = i.client_message_id)
 ), inserted AS (
   INSERT INTO messages (thread_id, seq, sender_id, text, client_message_id)
   SELECT thread_id, seq, sender_id, text, client_message_id FROM accepted ORDER BY ord
   RETURNING id, thread_id, seq, created_at
 ), threads_moved AS (
   UPDATE threads SET last_seq = x.seq, updated_at = now()
     FROM (SELECT thread_id, max(seq) AS seq FROM accepted GROUP BY thread_id) x WHERE threads.id = x.thread_id
 ), markers_moved AS (
   UPDATE participants SET last_read_seq = x.seq, own_after_marker = 0, read_at = now()
     FROM (SELECT thread_id, sender_id, max(seq) AS seq FROM accepted GROUP BY thread_id, sender_id) x
    WHERE participants.thread_id = x.thread_id AND participants.user_id = x.sender_id
 ), batch_threads AS (
   SELECT DISTINCT thread_id FROM accepted
 ), members AS (
   SELECT p.thread_id, p.user_id, p.last_read_seq, p.own_after_marker FROM participants p JOIN batch_threads USING (thread_id)
 )
 SELECT 'm' AS kind, a.ord::int AS a, ins.id AS b, ins.seq::int AS c, (${onlineSql('a.sender_id')})::int AS d, ins.created_at AS at, u.username AS s1, u.display_name AS s2
   FROM inserted ins JOIN accepted a ON a.thread_id = ins.thread_id AND a.seq = ins.seq JOIN users u ON u.id = a.sender_id
 UNION ALL
 SELECT 't', t.id, NULL, t.last_seq, NULL, t.updated_at, NULL, NULL FROM threads t JOIN batch_threads b ON b.thread_id = t.id
 UNION ALL
 SELECT 'p', thread_id, user_id, last_read_seq, own_after_marker, NULL, NULL, NULL FROM members
 UNION ALL
 SELECT 'o', NULL, op.user_id, COALESCE(SUM(GREATEST(0, ot.last_seq - op.last_read_seq - op.own_after_marker)), 0)::int, NULL, NULL, NULL, NULL
   FROM participants op JOIN threads ot ON ot.id = op.thread_id
  WHERE op.user_id IN (SELECT user_id FROM members) AND op.thread_id NOT IN (SELECT thread_id FROM batch_threads)
  GROUP BY op.user_id`;

@Injectable()
export class MessagesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Stores a batch of messages in one short transaction (group commit): lock the batch's threads in id order (the
   * lock order every writer of a thread's members or messages follows), then one statement inserts every row it may.
   * Nothing stored for a row takes no seq. Retried whole when it met a concurrent send of the same clientMessageId.
   */
  async insertMessagesIdempotent(batch: readonly NewMessage[]): Promise<StoredBatch> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertBatchOnce(batch);
      } catch (error) {
        const failure = error as { code?: unknown; driverError?: { code?: unknown } };
        const code = failure.driverError?.code ?? failure.code;
        if (attempt >= BATCH_ATTEMPTS || typeof code !== 'string' || !RETRYABLE_CODES.has(code)) throw error;
      }
    }
  }

  private insertBatchOnce(batch: readonly NewMessage[]): Promise<StoredBatch> {
    const threadIds = [...new Set(batch.map((message) => message.threadId))].sort((x, y) => x - y);
    return this.dataSource.transaction(async (manager) => {
      await this.statements.queryWith(manager, 'messages.lock-threads', `SELECT id FROM threads WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE`, [
        threadIds,
      ]);
      const rows: BatchRow[] = await this.statements.queryWith(manager, 'messages.insert-batch', INSERT_BATCH_SQL, [
        batch.map((message) => message.threadId),
        batch.map((message) => message.senderId),
        batch.map((message) => message.text),
        batch.map((message) => message.clientMessageId),
      ]);
      return toStoredBatch(batch, rows);
    });
  }

  async findById(id: number): Promise<MessageRecord | null> {
    const rows: MessageRecordRow[] = await this.statements.query(
      'messages.by-id',
      `SELECT ${MESSAGE_RECORD_SQL_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1`,
      [id],
    );
    return rows[0] ? toMessageRecord(rows[0]) : null;
  }

  async findBySenderAndClientId(senderId: number, clientMessageId: string): Promise<MessageRecord | null> {
    const rows: MessageRecordRow[] = await this.statements.query(
      'messages.by-client-id',
      `SELECT ${MESSAGE_RECORD_SQL_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.sender_id = $1 AND m.client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ? toMessageRecord(rows[0]) : null;
  }

  /** Messages with afterSeq < seq, oldest first, at most `limit`: an index range scan however deep. */
  async findAfterSeq(threadId: number, afterSeq: number, limit: number): Promise<MessageRecord[]> {
    const rows: MessageRecordRow[] = await this.statements.query(
      'messages.after-seq',
      `SELECT ${MESSAGE_RECORD_SQL_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
        WHERE m.thread_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3`,
      [threadId, afterSeq, limit],
    );
    return rows.map(toMessageRecord);
  }

  /**
   * A history page as a participant sees it, serialized by PostgreSQL (a JSON array of MessageDto, oldest first),
   * with its first and last seq and the thread's last seq; null when the thread does not exist or the user is not
   * in it. One statement: the membership check, the page with its senders, and the two lowest read markers (isRead);
   * nothing is parsed, rebuilt or stringified again in Node. `forward`: the `limit` oldest with seq > afterSeq;
   * `backward`: the `limit` newest with afterSeq < seq < beforeSeq.
   */
  async findPageForParticipantAsJson(
    threadId: number,
    userId: number,
    range: { direction: 'forward' | 'backward'; afterSeq: number; beforeSeq: number; limit: number },
  ): Promise<{ threadLastSeq: number; json: string; firstSeq: number | null; lastSeq: number | null } | null> {
    const backward = range.direction === 'backward';
    const rows: { threadLastSeq: number; json: string; firstSeq: number | null; lastSeq: number | null }[] = await this.statements.query(
      backward ? 'messages.page-json-backward' : 'messages.page-json-forward',
      `WITH viewer AS (
         SELECT p.last_read_seq, t.last_seq FROM participants p JOIN threads t ON t.id = p.thread_id WHERE p.thread_id = $1 AND p.user_id = $5
       ), page AS (
         SELECT ${MESSAGE_DTO_SQL_COLUMNS}, viewer.last_read_seq AS viewer_read_seq
           FROM viewer, messages m JOIN users u ON u.id = m.sender_id
          WHERE m.thread_id = $1 AND m.seq > $2 AND m.seq < $3
          ORDER BY m.seq ${backward ? 'DESC' : 'ASC'} LIMIT $4
       ), lowest AS (
         SELECT user_id, last_read_seq FROM participants WHERE thread_id = $1 ORDER BY last_read_seq ASC LIMIT 2
       )
       SELECT viewer.last_seq AS "threadLastSeq", '[' || coalesce(agg.json, '') || ']' AS json, agg."firstSeq", agg."lastSeq"
         FROM viewer, LATERAL (
           SELECT string_agg(${messageDtoJsonSql('page', {
             readByMe: isReadBySql('page', '$5', 'page.viewer_read_seq'),
             isRead: isReadByOthersSql('page', '(SELECT min(l.last_read_seq) FROM lowest l WHERE l.user_id <> page.sender_id)'),
           })}, ',' ORDER BY page.seq) AS json, min(page.seq) AS "firstSeq", max(page.seq) AS "lastSeq"
             FROM page
         ) agg`,
      [threadId, range.afterSeq, range.beforeSeq, range.limit, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * The messages matching a search box's text (websearch_to_tsquery: words, "quoted phrases", -exclusions) in the
   * threads the user is in (or in one of them), newest first, with the viewer's read flags, ts_headline's marks (see
   * search-highlight.ts) and the number of matches in all. Unnamed statements: PostgreSQL plans each query for its
   * own words (a rare word through the GIN index, a frequent one by walking the newest messages), where a prepared
   * generic plan would pick one way for all. The page is chosen first and only its rows get a headline.
   */
  async searchForParticipant(
    userId: number,
    search: { text: string; threadId: number | null; limit: number; offset: number; matchStart: string; matchEnd: string },
  ): Promise<{ hits: (MessageRecord & { readByMe: boolean; isRead: boolean; marked: string })[]; count: number }> {
    const matching = `FROM websearch_to_tsquery('simple', $2) q(query)
        JOIN messages m ON m.search_vector @@ q.query
        JOIN participants p ON p.thread_id = m.thread_id AND p.user_id = $1
       WHERE ($3::int IS NULL OR m.thread_id = $3)`;
    const [rows, counted] = await Promise.all([
      this.dataSource.query<(MessageRecordRow & { readByMe: boolean; isRead: boolean; marked: string })[]>(
        `WITH hits AS (
           SELECT m.id, p.last_read_seq AS viewer_read_seq, q.query ${matching}
            ORDER BY m.id DESC LIMIT $4 OFFSET $5
         )
         SELECT ${MESSAGE_RECORD_SQL_COLUMNS},
                ${isReadBySql('m', '$1', 'hits.viewer_read_seq')} AS "readByMe",
                ${isReadByOthersSql('m', '(SELECT min(o.last_read_seq) FROM participants o WHERE o.thread_id = m.thread_id AND o.user_id <> m.sender_id)')} AS "isRead",
                ts_headline('simple', translate(m.text, $6 || $7, ''), hits.query, 'HighlightAll=true, StartSel=' || $6 || ', StopSel=' || $7) AS marked
           FROM hits JOIN messages m ON m.id = hits.id JOIN users u ON u.id = m.sender_id
          ORDER BY m.id DESC`,
        [userId, search.text, search.threadId, search.limit, search.offset, search.matchStart, search.matchEnd],
      ),
      this.dataSource.query<{ count: number }[]>(`SELECT count(*)::int AS count ${matching}`, [userId, search.text, search.threadId]),
    ]);
    return {
      hits: rows.map(({ readByMe, isRead, marked, ...row }) => ({ ...toMessageRecord(row), readByMe, isRead, marked })),
      count: counted[0]?.count ?? 0,
    };
  }

  /**
   * Changes one message under its row lock, in one short transaction: reads it (with the user's membership of its
   * thread: `viewerId` null for staff, who may change any message), lets `decide` say what to do (or throw: nothing is
   * changed then), applies it with revision + 1, and answers the stored message with every participant's read marker
   * at that moment (the flags each one's `message:updated` carries). `target` null: no such message, or one the
   * viewer cannot see. Answers `changed: false` when `decide` chose nothing (deleting a tombstone again).
   */
  async changeLocked(
    messageId: number,
    viewerId: number | null,
    decide: (target: { senderId: number; deletedAt: Date | null } | null) => MessageChange | null,
  ): Promise<{ changed: false } | { changed: true; message: MessageRecord; readers: ReadMarker[] }> {
    return this.dataSource.transaction(async (manager) => {
      const found: { senderId: number; deletedAt: Date | null }[] = await this.statements.queryWith(
        manager,
        'messages.lock-for-change',
        `SELECT m.sender_id AS "senderId", m.deleted_at AS "deletedAt" FROM messages m
          WHERE m.id = $1 AND ($2::int IS NULL OR EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = $2))
          FOR UPDATE OF m`,
        [messageId, viewerId],
      );
      const change = decide(found[0] ?? null);
      if (!change) return { changed: false };
      // The text of a tombstone is "": the search trigger empties its search_vector, so it never matches.
      const [rows]: [MessageRecordRow[], number] = await this.statements.queryWith(
        manager,
        change.kind === 'edit' ? 'messages.edit' : 'messages.delete',
        `UPDATE messages m SET ${change.kind === 'edit' ? 'text = $2, edited_at = now()' : `text = '', deleted_at = now()`}, revision = m.revision + 1
           FROM users u WHERE m.id = $1 AND u.id = m.sender_id
         RETURNING ${MESSAGE_RECORD_SQL_COLUMNS}`,
        change.kind === 'edit' ? [messageId, change.text] : [messageId],
      );
      const message = toMessageRecord(rows[0]);
      const readers: ReadMarker[] = await this.statements.queryWith(
        manager,
        'messages.thread-markers',
        `SELECT user_id AS "userId", last_read_seq AS "lastReadSeq" FROM participants WHERE thread_id = $1`,
        [message.threadId],
      );
      return { changed: true, message, readers };
    });
  }

  /** The two lowest read markers of a thread: enough to tell, for any sender, whether everyone else has read. */
  async findTwoLowestMarkers(threadId: number): Promise<ReadMarker[]> {
    const rows: { userId: number; lastReadSeq: number }[] = await this.statements.query(
      'messages.two-lowest-markers',
      `SELECT user_id AS "userId", last_read_seq AS "lastReadSeq" FROM participants WHERE thread_id = $1 ORDER BY last_read_seq ASC LIMIT 2`,
      [threadId],
    );
    return rows;
  }
}

function toStoredBatch(batch: readonly NewMessage[], rows: BatchRow[]): StoredBatch {
  const results: (StoredMessage | null)[] = batch.map(() => null);
  const before: BatchStateBefore = { threadLastSeq: new Map(), participants: [], unreadElsewhere: new Map() };
  const threadUpdatedAt = new Map<number, Date>();
  const stored: BatchRow[] = [];
  for (const row of rows) {
    switch (row.kind) {
      case 'm':
        stored.push(row);
        break;
      case 't':
        before.threadLastSeq.set(row.a as number, row.c as number);
        threadUpdatedAt.set(row.a as number, row.at as Date);
        break;
      case 'p':
        before.participants.push({ threadId: row.a as number, userId: row.b as number, lastReadSeq: row.c as number, ownAfterMarker: row.d as number });
        break;
      case 'o':
        before.unreadElsewhere.set(row.b as number, row.c as number);
        break;
      default: {
        const unreachable: never = row.kind;
        throw new Error(`unknown batch row ${String(unreachable)}`);
      }
    }
  }
  for (const row of stored) {
    const index = (row.a as number) - 1;
    const message = batch[index];
    const seq = row.c as number;
    const firstOfBatch = seq === (before.threadLastSeq.get(message.threadId) ?? 0) + 1;
    results[index] = {
      record: {
        id: row.b as number,
        threadId: message.threadId,
        seq,
        senderId: message.senderId,
        text: message.text,
        clientMessageId: message.clientMessageId,
        createdAt: row.at as Date,
        editedAt: null,
        deletedAt: null,
        revision: 0,
        sender: { id: message.senderId, username: row.s1 as string, displayName: row.s2 as string, online: row.d === 1 },
      },
      // The first of the batch follows the thread's last activity; later ones follow a message of this batch.
      previousAt: seq === 1 ? null : firstOfBatch ? (threadUpdatedAt.get(message.threadId) ?? null) : row.at,
    };
  }
  return { results, before };
}
