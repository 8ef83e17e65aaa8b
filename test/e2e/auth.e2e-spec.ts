import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('alice', { displayName: 'Alice Example' });
  });
  afterAll(() => t.close());

  it('signs in by username or email and returns an access and a refresh token', async () => {
    for (const username of ['alice', 'ALICE', 'alice@example.test']) {
      const res = await t.http().post('/api/token/').send({ username, password: 'password' }).expect(200);
      expect(res.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
    }
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrongPassword = await t.http().post('/api/token/').send({ username: 'alice', password: 'nope' }).expect(401);
    const unknownUser = await t.http().post('/api/token/').send({ username: 'nobody', password: 'nope' }).expect(401);
    expect(wrongPassword.body).toEqual(unknownUser.body);
    expect(wrongPassword.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'invalid_credentials' });
  });

  it('rotates refresh tokens: each works once, and reusing a spent one revokes its successors', async () => {
    const first = (await t.http().post('/api/token/').send({ username: 'alice', password: 'password' }).expect(200)).body as { refresh: string };
    const second = (await t.http().post('/api/token/refresh/').send({ refresh: first.refresh }).expect(200)).body as { access: string; refresh: string };
    expect(second.refresh).not.toBe(first.refresh);
    await t.http().get('/api/v1/users/me/').set('Authorization', `Bearer ${second.access}`).expect(200);

    const reuse = await t.http().post('/api/token/refresh/').send({ refresh: first.refresh }).expect(401);
    expect(reuse.body.code).toBe('invalid_refresh_token');
    // The reuse revoked the family: the token issued by the legitimate rotation no longer works either.
    await t.http().post('/api/token/refresh/').send({ refresh: second.refresh }).expect(401);
  });

  it('refuses an unknown refresh token', async () => {
    await t.http().post('/api/token/refresh/').send({ refresh: 'not-a-token' }).expect(401);
  });

  it('lets one of two concurrent uses of a refresh token win', async () => {
    const pair = (await t.http().post('/api/token/').send({ username: 'alice', password: 'password' }).expect(200)).body as { refresh: string };
    const results = await Promise.all([1, 2, 3].map(() => t.http().post('/api/token/refresh/').send({ refresh: pair.refresh })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('returns the caller with isStaff from /users/me', async () => {
    const res = await t.http().get('/api/v1/users/me').set('Authorization', alice.auth).expect(200);
    expect(res.body).toEqual({ id: alice.id, username: 'alice', displayName: 'Alice Example', online: false, isStaff: false, email: 'alice@example.test' });
  });

  it('refuses missing, malformed, tampered and expired access tokens', async () => {
    await t.http().get('/api/v1/users/me').expect(401);
    await t.http().get('/api/v1/users/me').set('Authorization', 'Token abc').expect(401);
    const [header, payload] = alice.token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: '1', username: 'alice', staff: true, typ: 'access' })).toString('base64url');
    await t
      .http()
      .get('/api/v1/users/me')
      .set('Authorization', `Bearer ${header}.${forged}.${alice.token.split('.')[2]}`)
      .expect(401);
    await t.http().get('/api/v1/users/me').set('Authorization', `Bearer ${header}.${payload}.AAAA`).expect(401);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    await t.http().get('/api/v1/users/me').set('Authorization', `Bearer ${none}`).expect(401);
  });

  it('accepts "JWT <token>" like "Bearer <token>" (Simple JWT\'s two header types), and names both when refusing', async () => {
    const me = await t.http().get('/api/v1/users/me/').set('Authorization', `JWT ${alice.token}`).expect(200);
    expect(me.body.username).toBe('alice');
    await t.http().get('/api/v1/users/me/').set('Authorization', `jwt ${alice.token}`).expect(200);
    await t.http().get('/api/v1/users/me/').set('Authorization', `JWT ${alice.token}x`).expect(401);
    for (const res of [await t.http().get('/api/v1/users/me/'), await t.http().get('/api/v1/users/me/').set('Authorization', `Token ${alice.token}`)]) {
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/Bearer <access token>.*JWT <access token>/);
    }
  });

  it('expires access tokens', async () => {
    const shortLived = await startTestApp({ JWT_ACCESS_TTL: '10' });
    try {
      const bob = await shortLived.createUser('bob');
      await shortLived.http().get('/api/v1/users/me').set('Authorization', bob.auth).expect(200);
      const realNow = Date.now;
      Date.now = () => realNow() + 11_000;
      try {
        const res = await shortLived.http().get('/api/v1/users/me').set('Authorization', bob.auth).expect(401);
        expect(res.body.code).toBe('invalid_token');
      } finally {
        Date.now = realNow;
      }
    } finally {
      await shortLived.close();
    }
  });

  describe('web session cookie', () => {
    it('sets an httpOnly SameSite=Lax cookie that authenticates reads, and clears it on sign-out', async () => {
      const signIn = await t.http().post('/api/session/').send({ username: 'alice', password: 'password' }).expect(200);
      expect(signIn.body).toMatchObject({ id: alice.id, username: 'alice', isStaff: false });
      const setCookie = String(signIn.headers['set-cookie']);
      expect(setCookie).toMatch(/parley_session=/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const cookie = setCookie.split(';')[0];

      await t.http().get('/api/v1/users/me').set('Cookie', cookie).expect(200);

      const signOut = await t.http().delete('/api/session/').set('Cookie', cookie).expect(204);
      expect(String(signOut.headers['set-cookie'])).toMatch(/parley_session=;/);
      await t.http().get('/api/v1/users/me').set('Cookie', cookie).expect(401);
    });

    it('refuses cookie-authenticated writes from another origin and accepts same-origin ones', async () => {
      const bob = await t.createUser('bob-cookie');
      const signIn = await t.http().post('/api/session/').send({ username: 'alice', password: 'password' }).expect(200);
      const cookie = String(signIn.headers['set-cookie']).split(';')[0];
      const host = new URL(t.baseUrl).host;

      const crossSite = await t
        .http()
        .post('/api/v1/threads/')
        .set('Cookie', cookie)
        .set('Origin', 'https://evil.example')
        .send({ participants: [bob.id] })
        .expect(403);
      expect(crossSite.body.code).toBe('cross_origin');
      await t
        .http()
        .post('/api/v1/threads/')
        .set('Cookie', cookie)
        .send({ participants: [bob.id] })
        .expect(403);
      await t
        .http()
        .post('/api/v1/threads/')
        .set('Cookie', cookie)
        .set('Origin', `http://${host}`)
        .send({ participants: [bob.id] })
        .expect(201);
    });

    it('refuses wrong credentials with 401', async () => {
      await t.http().post('/api/session/').send({ username: 'alice', password: 'wrong' }).expect(401);
    });
  });
});
