import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { handshakeOutcome } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The headers and origin rules a browser relies on to keep other sites out of a Parley account. */
describe('HTTP hardening', () => {
  let t: TestApp;
  let sessionCookie: string;

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example' });
    await t.createUser('alice');
    const signIn = await t.http().post('/api/session/').send({ username: 'alice', password: 'password' }).expect(200);
    sessionCookie = String(signIn.headers['set-cookie']).split(';')[0];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends helmet headers and a deny-all Content-Security-Policy with API answers', async () => {
    const res = await t.http().get('/api/v1/users/me').set('Cookie', sessionCookie).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it.each(['/login', '/', '/people'])('serves %s with a CSP that allows no inline script, and the page has none', async (path) => {
    const res = await t.http().get(path).set('Cookie', sessionCookie).expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const scripts = String(res.text).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\bsrc="\/assets\/[a-z-]+\.js"/);
    expect(res.text).not.toMatch(/\son[a-z]+="/i);
  });

  it('allows cross-origin API calls only from the configured origins', async () => {
    const preflight = (origin: string) =>
      t
        .http()
        .options('/api/v1/threads/')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
    const allowed = await preflight('https://app.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).toMatch(/authorization/);
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a cookie-authenticated socket from another origin, and accepts one from its own pages', async () => {
    const connect = async (origin: string) => (await handshakeOutcome(t.baseUrl, { cookie: sessionCookie, origin })).message;
    expect(await connect('https://evil.example')).toBe('unauthorized');
    expect(await connect(t.baseUrl)).toBe('connected');
  });
});
