import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { threadNotFound } from '../../common/src/index.js';
import type { MessageRecord } from './message.mapper.js';
import type { ReadMarker } from './read-flags.js';

export interface NewMessage {
  threadId: number;
  senderId: number;
  text: string;
  clientMessageId: string | null;
}

/** Thrown inside the send transaction to roll back the seq it took when the clientMessageId already exists. */
class DuplicateClientMessageId extends Error {}

const MESSAGE_COLUMNS = `m.id, m.thread_id AS "threadId", m.seq, m.sender_id AS "senderId", m.text,
  m.client_message_id AS "clientMessageId", m.created_at AS "createdAt",
  u.username AS "senderUsername", u.display_name AS "senderDisplayName"`;

type MessageRow = Omit<MessageRecord, 'sender'> & { senderUsername: string; senderDisplayName: string };

const toRecord = ({ senderUsername, senderDisplayName, ...message }: MessageRow): MessageRecord => ({
  ...message,
  sender: { id: message.senderId, username: senderUsername, displayName: senderDisplayName },
});

@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a message in one short transaction: take the thread's next seq under its row lock, insert, move the
   * sender's read marker to it. A clientMessageId the sender already used rolls the whole thing back (so no seq
   * is lost) and answers `null`; the caller then reads the existing message.
   */
  async insertMessageIdempotent(message: NewMessage): Promise<{ id: number; seq: number } | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
        const [threads]: [{ last_seq: number }[], number] = await manager.query(
          `UPDATE threads SET last_seq = last_seq + 1, updated_at = now() WHERE id = $1 RETURNING last_seq`,
          [message.threadId],
        );
        const seq = threads[0]?.last_seq;
        if (seq === undefined) throw threadNotFound();
        const inserted: { id: number }[] = await manager.query(
          `INSERT INTO messages (thread_id, seq, sender_id, text, client_message_id) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT ON CONSTRAINT messages_sender_client_id_unique DO NOTHING
           RETURNING id`,
          [message.threadId, seq, message.senderId, message.text, message.clientMessageId],
        );
        const stored = inserted[0];
        if (!stored) throw new DuplicateClientMessageId();
        const [, moved]: [unknown, number] = await manager.query(
          `UPDATE participants SET last_read_seq = $3, own_after_marker = 0, read_at = now() WHERE thread_id = $1 AND user_id = $2`,
          [message.threadId, message.senderId, seq],
        );
        // The sender left the thread while sending: nothing is stored.
        if (moved === 0) throw threadNotFound();
        return { id: stored.id, seq };
      });
    } catch (error) {
      if (error instanceof DuplicateClientMessageId) return null;
      throw error;
    }
  }

  async findById(id: number): Promise<MessageRecord | null> {
    const rows: MessageRow[] = await this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1`, [
      id,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findBySenderAndClientId(senderId: number, clientMessageId: string): Promise<MessageRecord | null> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.sender_id = $1 AND m.client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Messages with afterSeq < seq, oldest first, at most `limit`: an index range scan however deep. */
  async findAfterSeq(threadId: number, afterSeq: number, limit: number): Promise<MessageRecord[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
        WHERE m.thread_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3`,
      [threadId, afterSeq, limit],
    );
    return rows.map(toRecord);
  }

  /** The `limit` newest messages with afterSeq < seq < beforeSeq, returned oldest first. */
  async findBeforeSeq(threadId: number, afterSeq: number, beforeSeq: number, limit: number): Promise<MessageRecord[]> {
    const rows: MessageRow[] = await this.dataSource.query(
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
    const rows: { userId: number; lastReadSeq: number }[] = await this.dataSource.query(
      `SELECT user_id AS "userId", last_read_seq AS "lastReadSeq" FROM participants WHERE thread_id = $1 ORDER BY last_read_seq ASC LIMIT 2`,
      [threadId],
    );
    return rows;
  }
}
