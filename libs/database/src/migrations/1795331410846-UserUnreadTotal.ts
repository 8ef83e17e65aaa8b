import { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand: each user's unread messages over all of their threads, kept up to date by every write that
// changes one of its per-thread counts (send, marker move, leaving or removal, thread deletion), so a user's total is
// one row instead of a lookup per thread they are in. `up` fills it from the read markers; `down` drops it.

export class UserUnreadTotal1795331410846 implements MigrationInterface {
  name = 'UserUnreadTotal1795331410846';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "unread_total" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `UPDATE "users" SET "unread_total" = s.total
         FROM (SELECT p.user_id, SUM(GREATEST(0, t.last_seq - p.last_read_seq - p.own_after_marker))::int AS total
                 FROM participants p JOIN threads t ON t.id = p.thread_id GROUP BY p.user_id) s
        WHERE "users"."id" = s.user_id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "unread_total"`);
  }
}
