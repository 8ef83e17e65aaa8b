import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A running server instance and until when its heartbeat vouches for the users it lists (user_presence). */
@Entity({ name: 'presence_instances' })
export class PresenceInstance {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
