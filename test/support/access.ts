import { createHash } from 'node:crypto';
import { handshakeOutcome } from './sockets.js';
import type { TestApp, TestUser } from './test-app.js';

/** Credentials for access-control tests beyond Bearer tokens: web session cookies, and sockets that use them. */

export const SESSION_COOKIE = 'parley_session';

/** Signs in the web inbox (POST /api/session) and returns the session token its cookie carries. */
export async function webSession(t: TestApp, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
  const res = await t.http().post('/api/session/').send({ username: user.username, password: user.password }).expect(200);
  const cookies = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const token = cookies.map((cookie) => new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1]).find(Boolean);
  if (!token) throw new Error('POST /api/session/ set no session cookie');
  return decodeURIComponent(token);
}

/** The database key of a web session token (the server stores only its SHA-256). */
export const sessionTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export const sessionCookie = (token: string): string => `${SESSION_COOKIE}=${encodeURIComponent(token)}`;

/** A handshake with a token and/or the session cookie (from the server's own origin, as the inbox pages send it). */
export async function socketOutcome(baseUrl: string, credentials: { token?: string; cookie?: string }): Promise<string> {
  const auth = credentials.token === undefined ? {} : { token: credentials.token };
  return (await handshakeOutcome(baseUrl, { auth, cookie: credentials.cookie, origin: baseUrl })).message;
}

/** A response body without what legitimately differs between two identical answers (the request id). */
export function withoutRequestId(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { requestId: _requestId, ...rest } = body as Record<string, unknown>;
  return rest;
}
