import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { PresenceRepository, PresenceTracker } from '../../libs/presence/src/index.js';
import { onlineAsListed, waitUntilListedAs } from '../support/presence.js';
import { connectLive, LiveSockets, type LiveClient } from '../support/sockets.js';
import { deploymentEnv, startTestApp, startTwoInstances, type TestApp, type TestUser } from '../support/test-app.js';

/** `online` in REST across instances sharing one PostgreSQL database (and Redis): a socket on B shows through A. */
describe('online across two instances (REDIS_URL and DATABASE_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let threadId: number;
  const sockets = new LiveSockets();
  // Short heartbeats, so that a crashed instance's users expire within a second or two.
  const timings = { PRESENCE_HEARTBEAT_MS: '200', PRESENCE_TTL_MS: '1000' };
  const shared = deploymentEnv('presence', timings);

  const live = (app: TestApp, user: TestUser): Promise<LiveClient> => sockets.connect(app.baseUrl, user.token);

  beforeAll(async () => {
    [a, b] = await startTwoInstances(shared);
    [alice, bob, carol] = await Promise.all([a.createUser('alice'), a.createUser('bob'), a.createUser('carol')]);
    threadId = await a.createThread(alice, [bob, carol], 'Across');
    for (const sender of [bob, carol]) {
      await a.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', sender.auth).send({ text: 'hi' }).expect(201);
    }
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('shows a user connected to instance B as online through instance A, and offline once it disconnects', async () => {
    const bobOnB = await live(b, bob);
    await waitUntilListedAs(true, () => onlineAsListed(a, alice, bob, threadId));
    bobOnB.close();
    await waitUntilListedAs(false, () => onlineAsListed(a, alice, bob, threadId));
  });

  it('keeps a user online while it has a socket on either instance', async () => {
    const [bobOnA, bobOnB] = await Promise.all([live(a, bob), live(b, bob)]);
    await waitUntilListedAs(true, () => onlineAsListed(a, alice, bob, threadId));
    bobOnA.close();
    // Carol's socket on A closes after Bob's: once she reads offline, Bob's closed socket has been written too.
    const carolOnA = await live(a, carol);
    await waitUntilListedAs(true, () => onlineAsListed(b, alice, carol, threadId));
    carolOnA.close();
    await waitUntilListedAs(false, () => onlineAsListed(b, alice, carol, threadId));
    expect(Object.values(await onlineAsListed(b, alice, bob, threadId)).every((online) => online === true)).toBe(true);
    bobOnB.close();
    await waitUntilListedAs(false, () => onlineAsListed(a, alice, bob, threadId));
  });

  it('stops counting the users of an instance that stopped without cleaning up, once its heartbeat expires', async () => {
    const c = await startTestApp(shared, { databaseUrl: a.databaseUrl as string });
    const crashedId = c.app.get(PresenceTracker).instanceId;
    // The shutdown path's cleanup does not run, as when the process is killed: its rows stay behind.
    jest.spyOn(c.app.get(PresenceRepository), 'removeInstance').mockResolvedValue(undefined);
    const carolOnC = await connectLive(c.baseUrl, carol.token);
    await waitUntilListedAs(true, () => onlineAsListed(a, alice, carol, threadId));
    await c.close();
    carolOnC.close();
    const db = a.app.get(DataSource);
    const left = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM user_presence WHERE instance_id = $1`, [crashedId]);
    expect(left[0].n).toBe(1);
    // Nobody removed them: the expired heartbeat alone takes Carol offline.
    await waitUntilListedAs(false, () => onlineAsListed(a, alice, carol, threadId));
  });
});
