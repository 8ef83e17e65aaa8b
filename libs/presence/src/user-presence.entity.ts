import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { User } from '../../users/src/user.entity.js';
import type { PresenceInstance } from './presence-instance.entity.js';

/** A user with at least one socket connected to that instance. The key leads with user_id: `online` looks a user up. */
@Entity({ name: 'user_presence' })
// An instance's rows go with it (shutdown, pruning): the cascade finds them by instance.
@Index('user_presence_instance_idx', ['instanceId'])
export class UserPresence {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @ManyToOne('PresenceInstance', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  instance?: Relation<PresenceInstance>;
}
