import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import type { Thread } from '../../threads/src/thread.entity.js';
import type { User } from '../../users/src/user.entity.js';

export const MESSAGE_TEXT_MAX = 4000;

/** The largest seq: seq is a PostgreSQL integer. */
export const MAX_SEQ = 2_147_483_647;

@Entity({ name: 'messages' })
@Unique('messages_thread_seq_unique', ['threadId', 'seq'])
@Unique('messages_sender_client_id_unique', ['senderId', 'clientMessageId'])
@Check('messages_text_length', `char_length(text) BETWEEN 1 AND ${MESSAGE_TEXT_MAX}`)
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

  /** The words of `text` for full-text search, kept by a trigger of the database (migration MessageSearch). */
  @Column({ name: 'search_vector', type: 'tsvector', select: false, insert: false, update: false })
  searchVector?: string;
}
