import { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand: senders edit and delete their messages (issue #16).
// - edited_at / deleted_at: when the text last changed, when it was deleted (null: never).
// - revision: 0 when stored, +1 in the same UPDATE as every change, under the row's lock. Live delivery drops a
//   `message:updated` older than one it already delivered, so every client ends on the stored state.
// - A deleted message stays as a tombstone (same id and seq: seq stays gapless, unread counts stay exact) with an
//   empty text, so its search_vector (kept by the MessageSearch trigger on every change of text) is empty and it
//   never matches a search. The text check allows "" for tombstones only. TypeORM compares checks by name only,
//   so the expression here must be the entity's exactly.
// - `down` gives tombstones a placeholder text, which the old check requires.

const TEXT_SHAPE = `(deleted_at IS NULL AND char_length(text) BETWEEN 1 AND 4000) OR (deleted_at IS NOT NULL AND text = '')`;

export class MessageEdits1796700000000 implements MigrationInterface {
  name = 'MessageEdits1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "edited_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "revision" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "messages_text_length"`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "messages_text_shape" CHECK (${TEXT_SHAPE})`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "messages_text_shape"`);
    await queryRunner.query(`UPDATE "messages" SET "text" = '[deleted]' WHERE "deleted_at" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "messages_text_length" CHECK (char_length(text) BETWEEN 1 AND 4000)`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "revision"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "deleted_at"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "edited_at"`);
  }
}
