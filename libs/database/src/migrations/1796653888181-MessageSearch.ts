import { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand (TypeORM cannot describe a GIN index or a trigger): full-text search over messages.
// - search_vector holds the words of `text`, kept by the database itself: a BEFORE trigger sets it on every insert
//   and on every change of the text (moderation, edits), so no write path can forget it. A trigger rather than a
//   generated column: TypeORM's schema comparison needs a metadata table of its own for generated columns.
// - The 'simple' configuration: lower-cased words, no stemming and no stop words, the same for every language, so
//   a message in any language is found by its words as written (an English stemmer would mangle Polish or Turkish,
//   and drop "the" or "it" from a quoted phrase).
// - GIN, the index type for tsvector @@ tsquery.

export class MessageSearch1796653888181 implements MigrationInterface {
  name = 'MessageSearch1796653888181';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "search_vector" tsvector`);
    await queryRunner.query(`UPDATE "messages" SET "search_vector" = to_tsvector('simple', "text")`);
    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "search_vector" SET NOT NULL`);
    await queryRunner.query(
      `CREATE FUNCTION "messages_search_vector_update"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.search_vector := to_tsvector('simple', NEW.text);
         RETURN NEW;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "messages_search_vector" BEFORE INSERT OR UPDATE OF "text" ON "messages" FOR EACH ROW EXECUTE FUNCTION "messages_search_vector_update"()`,
    );
    await queryRunner.query(`CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."messages_search_idx"`);
    await queryRunner.query(`DROP TRIGGER "messages_search_vector" ON "messages"`);
    await queryRunner.query(`DROP FUNCTION "messages_search_vector_update"()`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_vector"`);
  }
}
