import type { Sql } from './database.js';

/**
 * Bulk loading straight into Parley's schema (libs/database/src/migrations), keeping what the application keeps
 * true: threads.last_seq is the highest seq of a gapless 1..n, direct pairs are stored (low id, high id), and each
 * participant's read marker is at or after its own newest message (sending reads everything up to the message),
 * so own_after_marker is 0, as the send path leaves it.
 */

export interface SeededUser {
  id: number;
  username: string;
}

/** `count` users named `<prefix><n>`, all with the same precomputed password hash. Answers them in order of n. */
export async function insertUsers(sql: Sql, prefix: string, count: number, passwordHash: string): Promise<SeededUser[]> {
  if (count === 0) return [];
  await sql.query(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT $1 || i, initcap(replace($1, '_', ' ')) || i, $3 FROM generate_series(1, $2::int) AS i`,
    [prefix, count, passwordHash],
  );
  const rows = await sql.query<{ id: number; username: string; n: number }>(
    `SELECT id, username, substr(username, length($1) + 1)::int AS n FROM users WHERE starts_with(username, $1) ORDER BY n`,
    [prefix],
  );
  return rows.map(({ id, username }) => ({ id, username }));
}

/** One direct thread per pair, both participants' markers at 0; answers the thread ids in the order of `pairs`. */
export async function insertDirectThreads(sql: Sql, pairs: [number, number][]): Promise<number[]> {
  if (pairs.length === 0) return [];
  const rows = await sql.query<{ id: number }>(
    `WITH input AS (
       SELECT LEAST(a, b) AS lo, GREATEST(a, b) AS hi, ord FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS x(a, b, ord)
     ), created AS (
       INSERT INTO threads (type, created_by_id, direct_user_low_id, direct_user_high_id)
       SELECT 'direct', lo, lo, hi FROM input ORDER BY ord
       RETURNING id, direct_user_low_id AS lo, direct_user_high_id AS hi
     ), members AS (
       INSERT INTO participants (thread_id, user_id, role)
       SELECT created.id, member.user_id, 'member' FROM created CROSS JOIN LATERAL (VALUES (created.lo), (created.hi)) AS member(user_id)
     )
     SELECT created.id FROM created JOIN input USING (lo, hi) ORDER BY input.ord`,
    [pairs.map(([a]) => a), pairs.map(([, b]) => b)],
  );
  return rows.map((row) => row.id);
}

/** A group thread owned by `ownerId` with these members (the owner among them). */
export async function insertGroupThread(sql: Sql, title: string, ownerId: number, memberIds: number[]): Promise<number> {
  const rows = await sql.query<{ id: number }>(
    `WITH created AS (INSERT INTO threads (type, title, created_by_id) VALUES ('group', $1, $2) RETURNING id),
     members AS (
       INSERT INTO participants (thread_id, user_id, role)
       SELECT created.id, member_id, CASE WHEN member_id = $2 THEN 'owner' ELSE 'member' END FROM created, unnest($3::int[]) AS member_id
     )
     SELECT id FROM created`,
    [title, ownerId, memberIds],
  );
  return rows[0].id;
}

/**
 * Appends `counts[i]` messages to direct thread `threadIds[i]`, continuing its seq; the two participants take turns
 * (the lower id sends odd seqs). Timestamps run up to a per-thread end time, which becomes the thread's activity.
 * Every 5th message has the word "lunch" (20% of them), every 100th "dinner" (1%): the search scenario's words.
 */
export async function appendDirectMessages(sql: Sql, threadIds: number[], counts: number[], endsAt: Date): Promise<void> {
  await sql.query(
    `WITH input AS (
       SELECT t.id, t.last_seq, t.direct_user_low_id AS lo, t.direct_user_high_id AS hi, x.n,
              $3::timestamptz - (t.id % 997) * interval '1 minute' AS ends_at
         FROM unnest($1::int[], $2::int[]) AS x(thread_id, n) JOIN threads t ON t.id = x.thread_id
        WHERE x.n > 0 AND t.type = 'direct'
     ), added AS (
       INSERT INTO messages (thread_id, seq, sender_id, text, created_at)
       SELECT id, s, CASE WHEN s % 2 = 1 THEN lo ELSE hi END,
              'Message ' || s || ' of thread ' || id || ', loaded for the benchmark'
                || CASE WHEN s % 5 = 0 THEN ', lunch at noon' ELSE '' END || CASE WHEN s % 100 = 7 THEN ', dinner at eight' ELSE '' END,
              ends_at - (last_seq + n - s) * interval '10 milliseconds'
         FROM input, generate_series(input.last_seq + 1, input.last_seq + input.n) AS s
     )
     UPDATE threads SET last_seq = input.last_seq + input.n, updated_at = input.ends_at FROM input WHERE threads.id = input.id`,
    [threadIds, counts, endsAt.toISOString()],
  );
}

/**
 * Puts every participant's read marker of these threads (all threads when null) where sending would have left it
 * or later: at least its own newest message, otherwise 0 to `maxUnread` messages behind the newest.
 */
export async function settleReadMarkers(sql: Sql, threadIds: number[] | null, maxUnread: number): Promise<void> {
  await sql.query(
    `UPDATE participants p
        SET last_read_seq = m.marker, own_after_marker = 0, read_at = CASE WHEN m.marker > 0 THEN now() END
       FROM (
         SELECT q.thread_id, q.user_id,
                GREATEST(
                  COALESCE((SELECT max(seq) FROM messages x WHERE x.thread_id = q.thread_id AND x.sender_id = q.user_id), 0),
                  t.last_seq - (q.thread_id + q.user_id) % ($2::int + 1),
                  0
                ) AS marker
           FROM participants q JOIN threads t ON t.id = q.thread_id
          WHERE $1::int[] IS NULL OR q.thread_id = ANY($1::int[])
       ) m
      WHERE p.thread_id = m.thread_id AND p.user_id = m.user_id`,
    [threadIds, maxUnread],
  );
}

/**
 * Planner statistics and the visibility map after a bulk load, as autovacuum would leave them; then a checkpoint, so
 * that writing out the load's dirty pages does not happen during the measurements that follow (it needs superuser or
 * pg_checkpoint; without, the checkpoint is skipped).
 */
export async function analyze(sql: Sql): Promise<void> {
  await sql.query('VACUUM ANALYZE');
  await sql.query('CHECKPOINT').catch(() => undefined);
}
