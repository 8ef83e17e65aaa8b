import { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand, measured by the benchmark (npm run bench): participants_thread_marker_idx indexed last_read_seq, so
// every move of a read marker (each message sent moves its sender's, each read) rewrote all three index entries of
// the row instead of a HOT update. The two lowest markers of a thread, which it served, come from the primary key
// (thread_id, user_id) and a sort of the thread's participants, whom live updates read in full anyway. Without it,
// the send statement stores 20-25% more messages per second on the benchmark machine. `down` recreates it.

export class DropParticipantsMarkerIndex1795321164546 implements MigrationInterface {
  name = 'DropParticipantsMarkerIndex1795321164546';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."participants_thread_marker_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "participants_thread_marker_idx" ON "participants" ("thread_id", "last_read_seq") `);
  }
}
