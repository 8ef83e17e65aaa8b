import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { io } from 'socket.io-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { recordReliability } from '../support/reliability-report.js';
import { connectLive } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Drives every credential path with logging at its most verbose, then reads back every line the server logged:
 * no secret, password, password hash, token or session id may appear in any of them.
 */
describe('logs hold no credentials', () => {
  let t: TestApp;
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string): string => {
    secrets.set(value, what);
    return value;
  };

  beforeAll(async () => {
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const env = {
      LOG_LEVEL: 'verbose',
      JWT_SECRET: keep('JWT secret', randomBytes(32).toString('hex')),
      ADMIN_SESSION_SECRET: keep('admin session secret', randomBytes(32).toString('hex')),
    };
    t = await startTestApp(env, { logDestination });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('never writes a secret, password, hash or token to the log', async () => {
    const password = keep('password', `pw-${randomUUID()}`);
    const alice = await t.createUser('alice', { password });
    const bob = await t.createUser('bob', { password: keep('password', `pw-${randomUUID()}`) });
    const staffPassword = keep('staff password', `pw-${randomUUID()}`);
    await t.createUser('staffer', { password: staffPassword, isStaff: true });
    keep('access token', alice.token);
    keep('access token', bob.token);

    // Token sign-in, refresh rotation, and a reused refresh token (which revokes the family and is logged as such).
    const pair = (await t.http().post('/api/token/').send({ username: 'alice', password }).expect(200)).body as { access: string; refresh: string };
    keep('access token', pair.access);
    keep('refresh token', pair.refresh);
    const rotated = (await t.http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200)).body as { access: string; refresh: string };
    keep('access token', rotated.access);
    keep('refresh token', rotated.refresh);
    await t.http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(401);
    await t
      .http()
      .post('/api/token/')
      .send({ username: 'alice', password: keep('wrong password', `wrong-${randomUUID()}`) })
      .expect(401);
    const tampered = keep('tampered token', `${rotated.access.slice(0, -4)}AAAA`);
    await t.http().get('/api/v1/threads/').set('Authorization', `Bearer ${tampered}`).expect(401);

    // Bearer requests, including one that fails validation and one on a thread that is not the caller's.
    const threadId = await t.createThread(alice, [bob]);
    await t
      .http()
      .post(`/api/v1/threads/${threadId}/messages/`)
      .set('Authorization', alice.auth)
      .send({ text: 'hello', clientMessageId: randomUUID() })
      .expect(201);
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: 7 }).expect(400);
    await t
      .http()
      .get(`/api/v1/threads/${threadId + 1000}/messages/`)
      .set('Authorization', bob.auth)
      .expect(404);

    // The web session: sign in, use, sign out; its token is the cookie value.
    const session = await t.http().post('/api/session/').send({ username: 'bob', password: bob.password }).expect(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0];
    keep('session token', cookie.split('=')[1]);
    await t.http().get('/api/v1/users/me').set('Cookie', cookie).expect(200);

    // Sockets, by token (also a refused one) and by cookie.
    const live = await connectLive(t.baseUrl, alice.token);
    await live.request('message:send', { threadId, text: 'live', clientMessageId: randomUUID() });
    live.close();
    await new Promise<void>((resolve) => {
      const refused = io(t.baseUrl, { auth: { token: tampered }, transports: ['websocket'], reconnection: false, forceNew: true });
      refused.once('connect_error', () => {
        refused.close();
        resolve();
      });
    });
    await t.http().delete('/api/session/').set('Cookie', cookie).set('Origin', t.baseUrl).expect(204);

    // The admin panel: a wrong and a right password, then a page with the admin session cookie.
    const agent = request.agent(t.baseUrl);
    await agent.post('/admin/login').type('form').send({ email: 'staffer', password: 'not-it' });
    const adminLogin = await agent.post('/admin/login').type('form').send({ email: 'staffer', password: staffPassword });
    for (const setCookie of [adminLogin.headers['set-cookie'] ?? []].flat()) keep('admin session cookie', String(setCookie).split(';')[0]?.split('=')[1]);
    await agent.get('/admin/api/resources/User/actions/list').expect(200);

    // The stored password hashes must not be logged either.
    const hashes = await t.app.get(DataSource).query<{ password_hash: string }[]>('SELECT password_hash FROM users');
    for (const { password_hash } of hashes) keep('password hash', password_hash);

    // A token in a query string (as a pasted link may carry) is a credential in the access line's URL.
    await t
      .http()
      .get(`/api/v1/users/me?token=${keep('access token in a URL', alice.token)}`)
      .expect(401);

    const requestLines = lines.filter((line) => line.includes('"req":{"method"') && line.includes('"reqId"'));
    // The run must have been logged, or the check below would prove nothing.
    expect(requestLines.length).toBeGreaterThanOrEqual(12);
    expect(requestLines.some((line) => line.includes('/api/token/refresh/'))).toBe(true);
    expect(requestLines.some((line) => line.includes('/api/v1/users/me?token=[redacted]'))).toBe(true);
    const leaks = lines.flatMap((line) =>
      [...secrets].filter(([value]) => value.length >= 8 && line.includes(value)).map(([, what]) => `${what} in: ${line.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
    recordReliability('log-secrets', [
      {
        check: 'Credentials in log lines (LOG_LEVEL=verbose, every credential path)',
        tried: `${lines.length} log lines searched for ${secrets.size} secrets, passwords, hashes and tokens`,
        result: `${leaks.length} found`,
      },
    ]);
  });
});
