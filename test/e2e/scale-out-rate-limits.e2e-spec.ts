import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { deploymentEnv, startTwoInstances, type TestApp, type TestUser } from '../support/test-app.js';

/** With REDIS_URL, the limits are counted in Redis: a client cannot double its allowance by spreading over instances. */
describe('rate limits across two instances (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let threadId: number;
  // Fresh names: the counters live in the shared Redis, beyond this suite's database.
  const suffix = randomUUID().slice(0, 8);

  beforeAll(async () => {
    [a, b] = await startTwoInstances(deploymentEnv('limits', { RATE_LIMIT_SIGNIN_PER_USER: '4', RATE_LIMIT_MESSAGES_PER_SECOND: '6' }));
    const bob = await a.createUser(`bob-${suffix}`);
    alice = await a.createUser(`alice-${suffix}`);
    threadId = await a.createThread(alice, [bob]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts sign-in attempts for one account on both instances together', async () => {
    const username = `alice-${suffix}`;
    // One attempt was createUser's, on A; two wrong ones on B and one on A use up the four.
    await b.http().post('/api/token/').send({ username, password: 'wrong' }).expect(401);
    await b.http().post('/api/token/').send({ username, password: 'wrong' }).expect(401);
    await a.http().post('/api/token/').send({ username, password: 'wrong' }).expect(401);
    const refused = await b.http().post('/api/token/').send({ username, password: 'password' }).expect(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited' });
    await a.http().post('/api/token/').send({ username, password: 'password' }).expect(429);
  });

  it("counts one user's messages on both instances together", async () => {
    const send = (app: TestApp, i: number) =>
      app
        .http()
        .post(`/api/v1/threads/${threadId}/messages/`)
        .set('Authorization', alice.auth)
        .send({ text: `spread ${i}`, clientMessageId: randomUUID() });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 === 0 ? a : b, i)));
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status !== 201 && status !== 429)).toEqual([]);
    // Each instance alone would allow 6 of its 5; together they allow 6 per second, so a burst of 10 is cut.
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});
