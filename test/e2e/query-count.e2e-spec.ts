import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { LiveUpdatesService } from '../../libs/realtime/src/index.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Listing threads costs the same number of queries for 5 threads as for 50: no query per thread (N+1). */
describe('queries per request', () => {
  let t: TestApp;
  let owner: TestUser;
  // Kept to be restored afterwards, and always applied with the runner as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalQuery = PostgresQueryRunner.prototype.query;
  let queries = 0;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('owner');
    // Count every statement any query runner sends, without changing what it does.
    PostgresQueryRunner.prototype.query = function countedQuery(this: PostgresQueryRunner, ...args: Parameters<typeof originalQuery>) {
      queries += 1;
      return originalQuery.apply(this, args);
    } as typeof originalQuery;
  });
  afterAll(async () => {
    PostgresQueryRunner.prototype.query = originalQuery;
    await t.close();
  });

  async function createThreads(count: number, offset: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const other = await t.createUser(`member${offset + i}`);
      const group = await t
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', owner.auth)
        .send({ type: 'group', title: `Group ${offset + i}`, participants: [other.id] })
        .expect(201);
      await t
        .http()
        .post(`/api/v1/threads/${group.body.id}/messages/`)
        .set('Authorization', other.auth)
        .send({ text: `hello ${i}` })
        .expect(201);
    }
  }

  async function queriesToList(limit: number): Promise<number> {
    // Live updates of the sends above run after their responses; let them finish so that only the listing counts.
    await t.app.get(LiveUpdatesService).drain();
    queries = 0;
    const res = await t.http().get(`/api/v1/threads/?limit=${limit}`).set('Authorization', owner.auth).expect(200);
    expect(res.body.results.length).toBe(limit);
    return queries;
  }

  it('lists 50 threads with as many queries as 5', async () => {
    await createThreads(5, 0);
    const forFive = await queriesToList(5);
    await createThreads(45, 5);
    const forFifty = await queriesToList(50);
    expect(forFive).toBeGreaterThan(0);
    expect(forFifty).toBe(forFive);
  });
});
