import { describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { DomainError, type Actor } from '../../common/src/index.js';
import type { AppConfig } from '../../config/src/index.js';
import type { AuthService } from './auth.service.js';
import { JWT_STRATEGY, JwtStrategy } from './jwt.strategy.js';
import { ParleyPassport } from './parley-passport.js';
import { SESSION_COOKIE, WEB_SESSION_STRATEGY, WebSessionStrategy } from './web-session.strategy.js';

const SECRET = 'a'.repeat(32);
const claims = { sub: '7', username: 'alice', staff: false, typ: 'access' };
const sessionUser: Actor = { id: 9, username: 'cookie-user', isStaff: false };

function passportFor(secret: string): ParleyPassport {
  const sessions = { authenticateWebSession: (token: string) => (token === 'live' ? Promise.resolve(sessionUser) : Promise.reject(new Error('no session'))) };
  return new ParleyPassport(new JwtStrategy({ jwt: { secret } } as AppConfig), new WebSessionStrategy(sessions as unknown as AuthService));
}

const sign = (payload: object, secret = SECRET, expiresIn = 60): string =>
  new JwtService({ secret, signOptions: { algorithm: 'HS256', expiresIn } }).sign(payload);

function request(headers: Record<string, string>, cookies: Record<string, string> = {}, method = 'GET'): Request {
  return { headers, cookies, method } as unknown as Request;
}

/** What the guard gets from passport: the actor, or the error it throws, or false when no strategy took the request. */
function authenticate(passport: ParleyPassport, req: Request): Promise<Actor | false | { error: unknown }> {
  const chain = passport.chain([JWT_STRATEGY, WEB_SESSION_STRATEGY]);
  return new Promise((resolve) => chain.run(req, (error, actor) => resolve(error ? { error } : actor)));
}

const codeOf = (outcome: unknown): string | undefined => ((outcome as { error?: unknown }).error as DomainError | undefined)?.code;

describe('ParleyPassport', () => {
  it('accepts a Bearer access token and answers the actor the services take', async () => {
    const outcome = await authenticate(passportFor(SECRET), request({ authorization: `Bearer ${sign(claims)}` }));
    expect(outcome).toEqual({ id: 7, username: 'alice', isStaff: false });
  });

  it('accepts the same token with the JWT scheme Simple JWT clients send, in any case', async () => {
    const passport = passportFor(SECRET);
    for (const scheme of ['JWT', 'jwt', 'bearer', 'BEARER']) {
      expect(await authenticate(passport, request({ authorization: `${scheme} ${sign(claims)}` }))).toEqual({ id: 7, username: 'alice', isStaff: false });
    }
  });

  it('takes no strategy for a bad Bearer token, even with a live session cookie beside it', async () => {
    const passport = passportFor(SECRET);
    for (const authorization of [`Bearer ${sign(claims, 'b'.repeat(32))}`, `Bearer ${sign(claims, SECRET, -10)}`, 'Token abc', 'Bearer']) {
      expect(await authenticate(passport, request({ authorization }, { [SESSION_COOKIE]: 'live' }))).toBe(false);
    }
  });

  it('refuses tokens that verify but are not access tokens of a user, with invalid_token', async () => {
    const passport = passportFor(SECRET);
    for (const payload of [
      { ...claims, typ: 'refresh' },
      { ...claims, sub: 'x' },
      { ...claims, sub: '0' },
    ]) {
      expect(codeOf(await authenticate(passport, request({ authorization: `Bearer ${sign(payload)}` })))).toBe('invalid_token');
    }
  });

  it('falls back to the session cookie, and keeps cookie-authenticated writes to the same origin', async () => {
    const passport = passportFor(SECRET);
    expect(await authenticate(passport, request({}, { [SESSION_COOKIE]: 'live' }))).toEqual(sessionUser);
    expect(await authenticate(passport, request({ host: 'a.test', origin: 'http://a.test' }, { [SESSION_COOKIE]: 'live' }, 'POST'))).toEqual(sessionUser);
    expect(codeOf(await authenticate(passport, request({ host: 'a.test', origin: 'https://evil.test' }, { [SESSION_COOKIE]: 'live' }, 'POST')))).toBe(
      'cross_origin',
    );
    expect(await authenticate(passport, request({}))).toBe(false);
  });

  it('says why a request nobody accepted is refused', () => {
    expect(JwtStrategy.refusal(request({})).code).toBe('not_authenticated');
    // The 401 names both schemes.
    expect(JwtStrategy.refusal(request({ authorization: 'Token abc' })).message).toBe('Use "Authorization: Bearer <access token>" (or "JWT <access token>").');
    expect(JwtStrategy.refusal(request({})).message).toContain('(or "JWT <access token>")');
    expect(JwtStrategy.refusal(request({ authorization: 'Bearer abc' }))).toMatchObject({
      code: 'invalid_token',
      message: 'The access token is invalid or expired.',
    });
  });

  it('verifies a socket handshake token with the same strategy, expiry included', async () => {
    const passport = passportFor(SECRET);
    const { actor, expiresAt } = await passport.verifyAccessToken(sign(claims));
    expect(actor).toEqual({ id: 7, username: 'alice', isStaff: false });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await expect(passport.verifyAccessToken(sign(claims, SECRET, -10))).rejects.toMatchObject({ kind: 'unauthorized', code: 'invalid_token' });
    await expect(passport.verifyAccessToken(sign({ ...claims, typ: 'refresh' }))).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('keeps two applications in one process apart: each checks tokens with its own secret', async () => {
    const first = passportFor(SECRET);
    const second = passportFor('c'.repeat(32));
    const token = sign(claims);
    await expect(second.verifyAccessToken(token)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(first.verifyAccessToken(token)).resolves.toMatchObject({ actor: { id: 7 } });
  });
});
