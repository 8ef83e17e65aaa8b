import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

// Entities extend BaseEntity because the AdminJS TypeORM adapter requires it.
@Entity({ name: 'users' })
export class User extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** Stored lower-case; sign-in is case-insensitive. */
  @Column({ type: 'varchar', length: 150, unique: true })
  username: string;

  @Column({ type: 'varchar', length: 254, unique: true, nullable: true })
  email: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ name: 'is_staff', type: 'boolean', default: false })
  isStaff: boolean;

  /**
   * Unread messages over all of the user's threads: the sum of its per-thread counts, kept by every write that changes
   * one (see ReadStatusRepository), so the total is one row however many threads the user is in.
   */
  @Column({ name: 'unread_total', type: 'integer', default: 0, select: false })
  unreadTotal: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
