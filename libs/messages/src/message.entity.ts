import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import type { Thread } from '../../threads/src/thread.entity.js';
import type { User } from '../../users/src/user.entity.js';

export const MESSAGE_TEXT_MAX = 4000;

/** The largest seq: seq is a PostgreSQL integer. */
export const MAX_SEQ = 2_147_483_647;

@Entity({ name: 'messages' })
@Unique('messages_thread_seq_unique', ['threadId', 'seq'])
@Unique('messages_sender_client_id_unique', ['senderId', 'clientMessageId'])
// A tombstone (deleted) keeps its row with an empty text (migration MessageEdits).
@Check('messages_text_shape', `(deleted_at IS NULL AND char_length(text) BETWEEN 1 AND ${MESSAGE_TEXT_MAX}) OR (deleted_at IS NOT NULL AND text = '')`)
@Check('messages_seq_positive', 'seq > 0')
// Counting a participant's own messages after its read marker (mark unread) uses this.
@Index('messages_thread_sender_seq_idx', ['threadId', 'senderId', 'seq'])
// GIN over search_vector (migration MessageSearch), which TypeORM cannot describe.
@Index('messages_search_idx', { synchronize: false })
export class Message extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'thread_id', type: 'integer' })
  threadId: number;

  @ManyToOne('Thread', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'thread_id' })
  thread?: Relation<Thread>;

  /** 1, 2, 3 … within the thread, gapless, in commit order. */
  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'sender_id', type: 'integer' })
  senderId: number;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sender_id' })
  sender?: Relation<User>;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'client_message_id', type: 'varchar', length: 64, nullable: true })
  clientMessageId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When its sender (or a moderator) last changed the text; null: never. */
  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  /** When it was deleted (or redacted): the row stays as a tombstone with an empty text; null: not deleted. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  /** 0 when stored, +1 with every change: live delivery drops an update older than one it delivered. */
  @Column({ type: 'integer', default: 0 })
  revision: number;

  /** The words of `text` for full-text search, kept by a trigger of the database (migration MessageSearch). */
  @Column({ name: 'search_vector', type: 'tsvector', select: false, insert: false, update: false })
  searchVector?: string;
}
