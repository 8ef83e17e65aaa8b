import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { User } from '../../users/src/user.entity.js';
import type { Participant } from './participant.entity.js';

export type ThreadType = 'direct' | 'group';

@Entity({ name: 'threads' })
// A group's title is optional (null: clients name it by its members); a direct thread has none.
@Check(
  'threads_type_shape',
  `(type = 'direct' AND direct_user_low_id IS NOT NULL AND direct_user_high_id IS NOT NULL AND direct_user_low_id < direct_user_high_id AND title IS NULL) OR (type = 'group' AND direct_user_low_id IS NULL AND direct_user_high_id IS NULL)`,
)
@Check('threads_last_seq_non_negative', 'last_seq >= 0')
// One direct thread per pair of users: the pair is stored ordered (low id, high id).
@Index('threads_direct_pair_unique', ['directUserLowId', 'directUserHighId'], { unique: true, where: `type = 'direct'` })
export class Thread extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 10 })
  type: ThreadType;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ name: 'created_by_id', type: 'integer', nullable: true })
  createdById: number | null;

  @ManyToOne('User', { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by_id' })
  createdBy?: Relation<User> | null;

  @Column({ name: 'direct_user_low_id', type: 'integer', nullable: true })
  directUserLowId: number | null;

  @Column({ name: 'direct_user_high_id', type: 'integer', nullable: true })
  directUserHighId: number | null;

  /** The seq of the newest message; the next message gets last_seq + 1 (taken under this row's lock). */
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Last activity: creation, a message or a membership change. The inbox sorts by it. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @OneToMany('Participant', 'thread')
  participants?: Relation<Participant>[];
}
