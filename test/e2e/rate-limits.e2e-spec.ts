import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { recordReliability, type ReliabilityRow } from '../support/reliability-report.js';
import { connectLive, connectOutcome, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** The limits a flood from one client runs into; each is counted per user (or per address) and answered 429 / rate_limited. */
describe('rate limits', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let threadId: number;
  const open: LiveClient[] = [];
  const figures: ReliabilityRow[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_SIGNIN_PER_USER: '3',
      RATE_LIMIT_SIGNIN_PER_ADDRESS: '8',
      RATE_LIMIT_MESSAGES_PER_SECOND: '5',
      RATE_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE: '3',
    });
    // createUser signs each user in once: 3 of the address's 8 attempts and 1 of each user's 3.
    [alice, bob, carol] = await Promise.all([t.createUser('alice'), t.createUser('bob'), t.createUser('carol')]);
    threadId = await t.createThread(alice, [bob]);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    recordReliability('rate-limits', figures);
  });

  const signIn = (username: string, password: string) => t.http().post('/api/token/').send({ username, password });

  it('refuses sign-in for an account after too many attempts, even with the right password, and says when to retry', async () => {
    await signIn('bob', 'wrong').expect(401);
    await signIn('bob', 'wrong').expect(401);
    const refused = await signIn('bob', 'password').expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The web session sign-in counts against the same attempts.
    await t.http().post('/api/session/').send({ username: 'bob', password: 'password' }).expect(429);
    figures.push({
      check: 'Sign-in per account (limit 3)',
      tried: '5 attempts, token and web session',
      result: 'attempts 4 and 5 refused: 429 with Retry-After',
    });
  });

  it('refuses sign-in from an address that tries too many accounts', async () => {
    // 3 (createUser) + 4 (previous test) attempts so far; one more reaches the address' limit of 8.
    await signIn(`nobody-${randomUUID()}`, 'x').expect(401);
    const refused = await signIn(`nobody-${randomUUID()}`, 'x').expect(429);
    expect(refused.body.message).toMatch(/address/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    figures.push({ check: 'Sign-in per address (limit 8)', tried: '9 attempts over 4 accounts', result: 'attempt 9 refused: 429 with Retry-After' });
  });

  it('refuses messages over the per-second limit over REST, and stores none of the refused ones', async () => {
    const sends = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        t
          .http()
          .post(`/api/v1/threads/${threadId}/messages/`)
          .set('Authorization', alice.auth)
          .send({ text: `burst ${i}`, clientMessageId: randomUUID() }),
      ),
    );
    const statuses = sends.map((res) => res.status);
    expect(statuses.filter((status) => status !== 201 && status !== 429)).toEqual([]);
    const refused = sends.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toMatchObject({ code: 'rate_limited' });
    expect(refused[0]?.headers['retry-after']).toBe('1');
    const history = await t.http().get(`/api/v1/threads/${threadId}/messages/?limit=100`).set('Authorization', bob.auth).expect(200);
    const stored = (history.body.results as Array<{ text: string }>).filter((message) => message.text.startsWith('burst '));
    expect(stored).toHaveLength(statuses.filter((status) => status === 201).length);
    figures.push({
      check: 'Messages per user per second over REST (limit 5)',
      tried: '15 parallel sends',
      result: `${statuses.length - refused.length} stored, ${refused.length} refused with 429, none of those stored`,
    });
  });

  it('counts edits and deletes with sends: over the limit they are refused with 429 and change nothing', async () => {
    const own = await t.createThread(carol, [bob]);
    const sent = (await t.http().post(`/api/v1/threads/${own}/messages/`).set('Authorization', carol.auth).send({ text: 'edit me' }).expect(201)).body as {
      id: number;
    };
    const edits = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        t
          .http()
          .patch(`/api/v1/messages/${sent.id}/`)
          .set('Authorization', carol.auth)
          .send({ text: `edit ${i}` }),
      ),
    );
    const statuses = edits.map((res) => res.status);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
    const refused = edits.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toMatchObject({ code: 'rate_limited' });
    const history = await t.http().get(`/api/v1/threads/${own}/messages/`).set('Authorization', bob.auth).expect(200);
    const accepted = edits.filter((res) => res.status === 200).map((res) => (res.body as { text: string }).text);
    // The stored text is one that was accepted, never a refused one.
    expect(accepted).toContain((history.body.results as { text: string }[])[0].text);
    figures.push({
      check: 'Message edits count with sends (limit 5)',
      tried: '1 send and 15 parallel edits',
      result: `${accepted.length} applied, ${refused.length} refused with 429, none of those applied`,
    });
  });

  it('answers socket sends over the limit with a rate_limited error ack and keeps the connection', async () => {
    const socket = await connectLive(t.baseUrl, bob.token);
    open.push(socket);
    const acks = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        socket.request<{ ok: boolean; error?: { code: string; retryAfterSeconds?: number } }>('message:send', {
          threadId,
          text: `socket burst ${i}`,
          clientMessageId: randomUUID(),
        }),
      ),
    );
    const refused = acks.filter((ack) => !ack.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((ack) => ack.error?.code === 'rate_limited' && ack.error.retryAfterSeconds === 1)).toBe(true);
    expect(socket.socket.connected).toBe(true);
    figures.push({
      check: 'Messages per user per second over the socket (limit 5)',
      tried: '15 parallel message:send',
      result: `${acks.length - refused.length} stored, ${refused.length} refused with the ack rate_limited; connection kept`,
    });
  });

  it('refuses socket connections of one user beyond the per-minute limit with connect_error "rate_limited"', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i += 1) outcomes.push(await connectOutcome(t.baseUrl, { token: carol.token }));
    expect(outcomes).toEqual(['connected', 'connected', 'connected', 'rate_limited']);
    // Other users are not affected.
    expect(await connectOutcome(t.baseUrl, { token: alice.token })).toBe('connected');
    figures.push({ check: 'Socket connections per user per minute (limit 3)', tried: '4 connections', result: 'the 4th refused: connect_error rate_limited' });
  });
});
