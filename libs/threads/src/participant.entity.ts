import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { User } from '../../users/src/user.entity.js';
import type { Thread } from './thread.entity.js';

export type ParticipantRole = 'owner' | 'member';

@Entity({ name: 'participants' })
@Check('participants_role_valid', `role IN ('owner', 'member')`)
@Check('participants_markers_non_negative', 'last_read_seq >= 0 AND own_after_marker >= 0')
@Index('participants_user_idx', ['userId'])
export class Participant extends BaseEntity {
  @PrimaryColumn({ name: 'thread_id', type: 'integer' })
  threadId: number;

  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne('Thread', 'participants', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'thread_id' })
  thread?: Relation<Thread>;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 10, default: 'member' })
  role: ParticipantRole;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt: Date;

  /** Read marker: this participant has read every message with seq <= last_read_seq. */
  @Column({ name: 'last_read_seq', type: 'integer', default: 0 })
  lastReadSeq: number;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  /**
   * How many of this participant's own messages lie after its marker (possible after "mark unread").
   * Own messages never count as unread, so unread = thread.last_seq - last_read_seq - own_after_marker.
   * Computed when the marker moves, so listing counts never scans messages.
   */
  @Column({ name: 'own_after_marker', type: 'integer', default: 0 })
  ownAfterMarker: number;
}
