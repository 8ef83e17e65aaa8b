import { MigrationInterface, QueryRunner } from 'typeorm';

// Generated from the entities (schema builder), then reviewed: who is connected, per instance, for `online` in every
// User (see the README's "Presence"). UNLOGGED, by hand: presence is rewritten by the running instances all the time
// and means nothing after a database crash (PostgreSQL empties unlogged tables then; each instance finds its row
// gone at its next heartbeat and writes its users again), so it skips the write-ahead log. TypeORM does not compare
// persistence, so the entities and this migration still agree.

export class Presence1796690550679 implements MigrationInterface {
  name = 'Presence1796690550679';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "presence_instances" ("instance_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_31bc9a31624df4f0e74c5ffefaa" PRIMARY KEY ("instance_id"))`,
    );
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "user_presence" ("user_id" integer NOT NULL, "instance_id" uuid NOT NULL, CONSTRAINT "PK_f565f9158b467d47c965c8eeacc" PRIMARY KEY ("user_id", "instance_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "user_presence_instance_idx" ON "user_presence" ("instance_id") `);
    await queryRunner.query(
      `ALTER TABLE "user_presence" ADD CONSTRAINT "FK_43f028b293e5eb2fba96d8d5841" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_presence" ADD CONSTRAINT "FK_a3beb2206e50582c3b0ebd3d20b" FOREIGN KEY ("instance_id") REFERENCES "presence_instances"("instance_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_presence" DROP CONSTRAINT "FK_a3beb2206e50582c3b0ebd3d20b"`);
    await queryRunner.query(`ALTER TABLE "user_presence" DROP CONSTRAINT "FK_43f028b293e5eb2fba96d8d5841"`);
    await queryRunner.query(`DROP INDEX "public"."user_presence_instance_idx"`);
    await queryRunner.query(`DROP TABLE "user_presence"`);
    await queryRunner.query(`DROP TABLE "presence_instances"`);
  }
}
