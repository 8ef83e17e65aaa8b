import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { threadNotFound } from '../../common/src/index.js';
import { PreparedStatements } from '../../database/src/prepared-statements.js';
import type { MessageRecord } from './message.mapper.js';
import type { ReadMarker } from './read-flags.js';

export interface NewMessage {
  threadId: number;
  senderId: number;
  text: string;
  clientMessageId: string | null;
}

const MESSAGE_COLUMNS = `m.id, m.thread_id AS "threadId", m.seq, m.sender_id AS "senderId", m.text,
  m.client_message_id AS "clientMessageId", m.created_at AS "createdAt",
  u.username AS "senderUsername", u.display_name AS "senderDisplayName"`;

type MessageRow = Omit<MessageRecord, 'sender'> & { senderUsername: string; senderDisplayName: string };

const toRecord = ({ senderUsername, senderDisplayName, ...message }: MessageRow): MessageRecord => ({
  ...message,
  sender: { id: message.senderId, username: senderUsername, displayName: senderDisplayName },
});

/** A message just stored, with the thread's lowest read markers after the send (the sender's is at the message). */
export interface StoredMessage {
  record: MessageRecord;
  markers: ReadMarker[];
}

interface StoredMessageRow {
  id: number;
  seq: number;
  createdAt: Date;
  senderUsername: string;
  senderDisplayName: string;
  otherUserId: number | null;
  otherReadSeq: number | null;
}

@Injectable()
export class MessagesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Stores a message in one statement (one round trip, its own transaction): lock the thread and the sender's
   * participant row (thread first, as sending always did), insert the message with the thread's next seq,
   * then move the thread's last_seq and the sender's read marker to it. Answers the message with its sender and the
   * thread's two lowest read markers right after the send (for `isRead`), so nothing is read back.
   *
   * When nothing can be stored, nothing changes and no seq is taken: the thread does not exist, the sender is not a
   * participant, or the sender already used the clientMessageId (also in a concurrent send). Then it answers `null`
   * when there is a clientMessageId (the caller tells which), thread_not_found otherwise.
   */
  async insertMessageIdempotent(message: NewMessage): Promise<StoredMessage | null> {
    const rows: StoredMessageRow[] = await this.statements.query(
      'messages.insert',
      `WITH sender AS (
         SELECT t.last_seq + 1 AS seq FROM threads t JOIN participants p ON p.thread_id = t.id
          WHERE t.id = $1 AND p.user_id = $2
          FOR NO KEY UPDATE OF t, p
       ), message AS (
         INSERT INTO messages (thread_id, seq, sender_id, text, client_message_id)
         SELECT $1, seq, $2, $3, $4 FROM sender
         ON CONFLICT ON CONSTRAINT messages_sender_client_id_unique DO NOTHING
         RETURNING id, seq, created_at
       ), thread AS (
         UPDATE threads SET last_seq = message.seq, updated_at = now() FROM message WHERE threads.id = $1
       ), marker AS (
         UPDATE participants SET last_read_seq = message.seq, own_after_marker = 0, read_at = now()
           FROM message WHERE participants.thread_id = $1 AND participants.user_id = $2
       )
       SELECT message.id, message.seq, message.created_at AS "createdAt",
              u.username AS "senderUsername", u.display_name AS "senderDisplayName",
              other.user_id AS "otherUserId", other.last_read_seq AS "otherReadSeq"
         FROM message JOIN users u ON u.id = $2
         LEFT JOIN LATERAL (
           SELECT user_id, last_read_seq FROM participants WHERE thread_id = $1 AND user_id <> $2 ORDER BY last_read_seq LIMIT 2
         ) other ON true`,
      [message.threadId, message.senderId, message.text, message.clientMessageId],
    );
    // Nothing stored: answer null (the caller finds out why) unless it can only be a thread the sender is not in.
    if (rows.length === 0) {
      if (message.clientMessageId !== null) return null;
      throw threadNotFound();
    }
    const [first] = rows;
    if (!first) throw threadNotFound();
    const others: ReadMarker[] = rows.flatMap((row) =>
      row.otherUserId === null ? [] : [{ userId: row.otherUserId, lastReadSeq: row.otherReadSeq as number }],
    );
    return {
      record: {
        id: first.id,
        threadId: message.threadId,
        seq: first.seq,
        senderId: message.senderId,
        text: message.text,
        clientMessageId: message.clientMessageId,
        createdAt: first.createdAt,
        sender: { id: message.senderId, username: first.senderUsername, displayName: first.senderDisplayName },
      },
      markers: [...others, { userId: message.senderId, lastReadSeq: first.seq }],
    };
  }

  async findById(id: number): Promise<MessageRecord | null> {
    const rows: MessageRow[] = await this.statements.query(
      'messages.by-id',
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findBySenderAndClientId(senderId: number, clientMessageId: string): Promise<MessageRecord | null> {
    const rows: MessageRow[] = await this.statements.query(
      'messages.by-client-id',
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.sender_id = $1 AND m.client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Messages with afterSeq < seq, oldest first, at most `limit`: an index range scan however deep. */
  async findAfterSeq(threadId: number, afterSeq: number, limit: number): Promise<MessageRecord[]> {
    const rows: MessageRow[] = await this.statements.query(
      'messages.after-seq',
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
        WHERE m.thread_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3`,
      [threadId, afterSeq, limit],
    );
    return rows.map(toRecord);
  }

  /** The `limit` newest messages with afterSeq < seq < beforeSeq, returned oldest first. */
  async findBeforeSeq(threadId: number, afterSeq: number, beforeSeq: number, limit: number): Promise<MessageRecord[]> {
    const rows: MessageRow[] = await this.statements.query(
      'messages.before-seq',
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
        WHERE m.thread_id = $1 AND m.seq > $2 AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4`,
      [threadId, afterSeq, beforeSeq, limit],
    );
    return rows.map(toRecord).reverse();
  }

  /**
   * Replaces a message's text in place: the row, its seq, sender and time stay, so the thread's seq stays gapless
   * and unread counts (derived from seq) do not move. Answers false when there is no such message.
   */
  async replaceText(messageId: number, text: string): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [, updated]: [unknown, number] = await this.dataSource.query(`UPDATE messages SET text = $2 WHERE id = $1`, [messageId, text]);
    return updated > 0;
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
