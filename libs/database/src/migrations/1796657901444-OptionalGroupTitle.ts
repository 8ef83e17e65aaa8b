import { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand: a group's title becomes optional (null: clients name the group by its members), as the spec's
// threads, which have no titles, need. Direct threads still have none. TypeORM compares checks by name only, so
// the expression here must be the entity's exactly. `down` gives untitled groups a placeholder title, which the
// old check requires.

const DIRECT = `type = 'direct' AND direct_user_low_id IS NOT NULL AND direct_user_high_id IS NOT NULL AND direct_user_low_id < direct_user_high_id AND title IS NULL`;

export class OptionalGroupTitle1796657901444 implements MigrationInterface {
  name = 'OptionalGroupTitle1796657901444';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "threads" DROP CONSTRAINT "threads_type_shape"`);
    await queryRunner.query(
      `ALTER TABLE "threads" ADD CONSTRAINT "threads_type_shape" CHECK ((${DIRECT}) OR (type = 'group' AND direct_user_low_id IS NULL AND direct_user_high_id IS NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "threads" SET "title" = 'Untitled group' WHERE "type" = 'group' AND "title" IS NULL`);
    await queryRunner.query(`ALTER TABLE "threads" DROP CONSTRAINT "threads_type_shape"`);
    await queryRunner.query(
      `ALTER TABLE "threads" ADD CONSTRAINT "threads_type_shape" CHECK ((${DIRECT}) OR (type = 'group' AND direct_user_low_id IS NULL AND direct_user_high_id IS NULL AND title IS NOT NULL))`,
    );
  }
}
