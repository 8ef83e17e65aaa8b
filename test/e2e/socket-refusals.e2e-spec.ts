import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { handshakeOutcome } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Socket.IO clients do not retry a handshake the server refused, so the refusal must say whether retrying helps:
 * `unauthorized` for bad credentials, `unavailable` (with a delay) when the server cannot check them right now.
 */
describe('socket handshake refusals', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('alice');
  });
  afterAll(async () => {
    await t?.close();
  });

  // A web page's connection: the session cookie, from the page's own origin.
  const refusal = (cookie: string) => handshakeOutcome(t.baseUrl, { cookie, origin: t.baseUrl });

  it('answers "unavailable" with a retry delay when the database cannot be reached, "unauthorized" for a bad session', async () => {
    const session = await t.http().post('/api/session/').send({ username: 'alice', password: alice.password }).expect(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0];
    expect(await refusal(cookie)).toEqual({ message: 'connected' });
    expect(await refusal(`${cookie}x`)).toMatchObject({ message: 'unauthorized' });
    // The database goes away under the running server (the last step of this suite).
    await t.app.get(DataSource).destroy();
    expect(await refusal(cookie)).toEqual({ message: 'unavailable', data: { retryAfterSeconds: 1 } });
  });
});
