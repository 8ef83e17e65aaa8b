import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PreparedStatements } from '../../database/src/prepared-statements.js';

/** This instance's rows of presence_instances and user_presence (see onlineSql for how they are read). */
@Injectable()
export class PresenceRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Vouches for this instance's users for another `ttlMs`, and removes instances whose heartbeat has expired (their
   * users go with them). Answers whether the row was new: then the instance has no users in the table (first
   * heartbeat, or pruned by another instance after a stall, or emptied by a database crash) and must write them all.
   */
  async heartbeat(instanceId: string, ttlMs: number): Promise<{ wasMissing: boolean }> {
    const rows: { inserted: boolean }[] = await this.statements.query(
      'presence.heartbeat',
      `WITH pruned AS (
         DELETE FROM presence_instances WHERE expires_at < now() AND instance_id <> $1
       )
       INSERT INTO presence_instances (instance_id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (instance_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
       RETURNING (xmax = 0) AS inserted`,
      [instanceId, ttlMs],
    );
    return { wasMissing: rows[0]?.inserted ?? true };
  }

  /** One statement for a whole batch of transitions, both ways. Users deleted meanwhile are skipped. */
  async writeTransitions(instanceId: string, cameOnline: number[], wentOffline: number[]): Promise<void> {
    await this.statements.query(
      'presence.transitions',
      `WITH gone AS (
         DELETE FROM user_presence WHERE instance_id = $1 AND user_id = ANY($3::int[])
       )
       INSERT INTO user_presence (user_id, instance_id)
       SELECT u.id, $1 FROM users u WHERE u.id = ANY($2::int[])
       ON CONFLICT DO NOTHING`,
      [instanceId, cameOnline, wentOffline],
    );
  }

  /** On a clean shutdown: the instance and, by the cascade, its users. */
  async removeInstance(instanceId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM presence_instances WHERE instance_id = $1`, [instanceId]);
  }
}
