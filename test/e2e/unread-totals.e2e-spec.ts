import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { recordReliability } from '../support/reliability-report.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Each user's unread total is kept on write (send, read, unread, leave, removal, thread deletion) instead of being
 * summed over its threads on every read. This drives all of those writes, several at a time, and after every round
 * compares each kept total with the sum of the user's per-thread counts: they must never drift apart.
 */
// Enough rounds that the races between sends and membership changes happen on PostgreSQL in most runs (a send whose
// snapshot predated a removal counted the removed member once: one run in two found it at 40 rounds of 6).
const ROUNDS = 50;
const AT_ONCE = 8;

describe('unread totals kept on write', () => {
  let t: TestApp;
  let users: TestUser[];
  let db: DataSource;

  // A small deterministic generator: a failing run can be replayed.
  let state = 20261122;
  const random = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const pick = <T>(items: T[]): T => {
    const item = items[random(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };

  const call = (user: TestUser, method: 'get' | 'post' | 'delete', path: string, body?: object) => {
    const req = t.http()[method](path).set('Authorization', user.auth);
    return body === undefined ? req : req.send(body);
  };

  /** Users whose kept total differs from the sum of their per-thread counts. */
  const drift = async (): Promise<{ id: number; kept: number; summed: number }[]> =>
    db.query(
      `SELECT u.id, u.unread_total AS kept, COALESCE(s.total, 0)::int AS summed
         FROM users u
         LEFT JOIN (SELECT p.user_id, SUM(GREATEST(0, t.last_seq - p.last_read_seq - p.own_after_marker)) AS total
                      FROM participants p JOIN threads t ON t.id = p.thread_id GROUP BY p.user_id) s ON s.user_id = u.id
        WHERE u.unread_total <> COALESCE(s.total, 0)`,
    );

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    users = [];
    for (const name of ['ann', 'ben', 'cat', 'dan', 'eve', 'fay']) users.push(await t.createUser(`totals_${name}`));
  });
  afterAll(() => t.close());

  it('stay equal to the sum of per-thread counts through 50 rounds of 8 concurrent sends, reads, leaves, removals and deletions', async () => {
    const statuses = new Map<number, number>();
    let operations = 0;
    const threadsOf = async (user: TestUser): Promise<{ id: number; type: string; ownerId: number | null; participants: { id: number }[] }[]> =>
      (await call(user, 'get', '/api/v1/threads/?limit=200').expect(200)).body.results;

    /** One random write by a random user, answered by whatever status the race gives it (never a 5xx). */
    const operation = async (): Promise<number> => {
      const user = pick(users);
      const threads = await threadsOf(user);
      const roll = random(100);
      if (threads.length === 0 || roll < 8) {
        const others = users.filter((other) => other !== user);
        const group = random(2) === 0;
        const participants = group ? [pick(others).id, pick(others).id, pick(others).id] : [pick(others).id];
        const unique = [...new Set(participants)];
        return (
          await call(user, 'post', '/api/v1/threads/', unique.length > 1 ? { participants: unique, type: 'group', title: 'Totals' } : { participants: unique })
        ).status;
      }
      const thread = pick(threads);
      if (roll < 50) return (await call(user, 'post', `/api/v1/threads/${thread.id}/messages/`, { text: `message ${operations}` })).status;
      if (roll < 75) {
        const history = await call(user, 'get', `/api/v1/threads/${thread.id}/messages/?limit=200`);
        const messages = (history.body.results ?? []) as { id: number }[];
        if (messages.length === 0) return history.status;
        const target = pick(messages);
        return (await call(user, 'post', `/api/v1/messages/${target.id}/${random(2) === 0 ? 'read' : 'unread'}/`)).status;
      }
      if (roll < 85) return (await call(user, 'post', `/api/v1/threads/${thread.id}/read/`, {})).status;
      if (thread.type === 'group' && roll < 95) {
        // The owner removes someone, or a member leaves; then the owner adds someone (back).
        const member = pick(thread.participants);
        const removed = (await call(user, 'delete', `/api/v1/threads/${thread.id}/participants/${thread.ownerId === user.id ? member.id : user.id}/`)).status;
        const owner = users.find((candidate) => candidate.id === thread.ownerId);
        if (owner) await call(owner, 'post', `/api/v1/threads/${thread.id}/participants/`, { userId: pick(users).id });
        return removed;
      }
      return (await call(user, 'delete', `/api/v1/threads/${thread.id}/`)).status;
    };

    for (let round = 0; round < ROUNDS; round += 1) {
      const answered = await Promise.all(Array.from({ length: AT_ONCE }, () => operation()));
      for (const status of answered) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      operations += answered.length;
      expect(answered.filter((status) => status >= 500)).toEqual([]);
      expect(await drift()).toEqual([]);
    }

    // What clients are told agrees with the kept totals: the summary (a sum of per-thread counts) and a marker move.
    for (const user of users) {
      const summary = (await call(user, 'get', '/api/v1/unread_count/').expect(200)).body as { totalUnread: number };
      const [kept] = await db.query<{ total: number }[]>(`SELECT unread_total AS total FROM users WHERE id = $1`, [user.id]);
      expect(summary.totalUnread).toBe(kept?.total);
      const threads = await threadsOf(user);
      if (threads[0]) {
        const read = (await call(user, 'post', `/api/v1/threads/${threads[0].id}/read/`, {}).expect(200)).body as { totalUnread: number };
        const after = (await call(user, 'get', '/api/v1/unread_count/').expect(200)).body as { totalUnread: number };
        expect(read.totalUnread).toBe(after.totalUnread);
      }
    }
    // Enough of each kind of write happened for the check to mean something.
    expect(operations).toBe(ROUNDS * AT_ONCE);
    expect((statuses.get(201) ?? 0) + (statuses.get(200) ?? 0)).toBeGreaterThan(operations / 2);
    const answers = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${count} × ${status}`);
    recordReliability('unread-totals', [
      {
        check: "each user's unread total, kept on write, against the sum of its per-thread counts",
        tried: `${operations} writes (sends, read, unread, thread read, leave, removal, add, thread deletion and creation) in ${ROUNDS} rounds of ${AT_ONCE} at once; answers: ${answers.join(', ')}`,
        result: 'no 5xx; no total drifted from the summed counts after any round; summaries and marker moves report the kept totals',
      },
    ]);
  });
});
