import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Backpressure on sending: when the database falls behind, a send is refused at once with `overloaded` instead of
 * waiting in a queue that only grows, nothing refused is stored, and a retry with the same clientMessageId is safe.
 * The database is made to fall behind by a second connection holding the thread's row lock, which the send batch
 * waits for; that needs a PostgreSQL server (DATABASE_URL), as the embedded database serves one connection.
 */
describe('sending past what the database keeps up with (DATABASE_URL)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let threadId: number;
  let blocker: pg.Client;
  const open: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ SEND_QUEUE_BUDGET_MS: '50' });
    [alice, bob] = await Promise.all([t.createUser('alice'), t.createUser('bob')]);
    threadId = await t.createThread(alice, [bob]);
    blocker = new pg.Client({ connectionString: t.databaseUrl });
    await blocker.connect();
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await blocker?.end();
    await t?.close();
  });

  const send = (clientMessageId: string, text: string) =>
    t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text, clientMessageId });

  it('refuses at once with overloaded (REST 503 + Retry-After, socket ack), stores nothing refused, and takes the retry', async () => {
    const aliceLive = await connectLive(t.baseUrl, alice.token);
    open.push(aliceLive);
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM threads WHERE id = $1 FOR UPDATE', [threadId]);
    let acceptedStatus: number | undefined;
    const accepted = send(randomUUID(), 'waits for the lock').then((response) => {
      acceptedStatus = response.status;
      return response;
    });
    // The batch holding that message now waits longer than the 50 ms budget.
    await delay(300);

    const refusedId = randomUUID();
    const startedAt = Date.now();
    const refused = await send(refusedId, 'refused');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ statusCode: 503, code: 'overloaded' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const socketRefusal = await aliceLive.request<{ ok: boolean; error: { code: string; retryAfterMs: number } }>('message:send', {
      threadId,
      text: 'refused too',
      clientMessageId: randomUUID(),
    });
    expect(socketRefusal).toMatchObject({ ok: false, error: { code: 'overloaded', retryAfterMs: expect.any(Number) } });
    expect(socketRefusal.error.retryAfterMs).toBeGreaterThan(0);
    expect(acceptedStatus).toBeUndefined();

    await blocker.query('COMMIT');
    expect((await accepted).status).toBe(201);
    const history = await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).expect(200);
    expect(history.body.results.map((m: { text: string }) => m.text)).toEqual(['waits for the lock']);

    // Nothing was stored for the refused send: its retry stores it (201), a second retry finds it (200).
    const retried = await send(refusedId, 'refused').expect(201);
    expect(retried.body.seq).toBe(2);
    await send(refusedId, 'refused').expect(200);
  });
});
