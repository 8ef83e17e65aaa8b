import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed-in staff member's admin panel session (express-session's data), kept in the database so it survives restarts and works across instances. */
@Entity({ name: 'admin_sessions' })
@Index('admin_sessions_expires_idx', ['expiresAt'])
export class AdminSession {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  sid: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
