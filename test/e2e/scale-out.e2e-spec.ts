import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { LiveSockets, type LiveClient } from '../support/sockets.js';
import { deploymentEnv, startTestApp, startTwoInstances, type TestApp, type TestUser } from '../support/test-app.js';

/** Two instances on one PostgreSQL database and one Redis: what happens on one reaches clients of the other. */
describe('scale-out across two instances (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let threadId: number;
  const sockets = new LiveSockets();
  const live = (app: TestApp, user: TestUser): Promise<LiveClient> => sockets.connect(app.baseUrl, user.token);

  beforeAll(async () => {
    [a, b] = await startTwoInstances(deploymentEnv('scale'));
    [alice, bob, carol] = await Promise.all([a.createUser('alice'), a.createUser('bob'), a.createUser('carol')]);
    threadId = (
      await a
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', alice.auth)
        .send({ participants: [bob.id] })
        .expect(201)
    ).body.id as number;
    await a
      .http()
      .post('/api/v1/threads/')
      .set('Authorization', carol.auth)
      .send({ participants: [alice.id] })
      .expect(201);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers a message sent through instance A to a client of instance B, and its receipt back', async () => {
    const [aliceOnA, bobOnB] = await Promise.all([live(a, alice), live(b, bob)]);
    const ack = await aliceOnA.request<{ ok: boolean; message: { id: number; seq: number } }>('message:send', {
      threadId,
      text: 'across instances',
      clientMessageId: randomUUID(),
    });
    expect(ack.ok).toBe(true);
    const delivered = await bobOnB.waitFor<{ message: { id: number } }>('message:new', (e) => e.message.id === ack.message.id);
    expect(delivered.message).toMatchObject({ text: 'across instances', readByMe: false });

    await bobOnB.request('message:read', { threadId, messageId: ack.message.id });
    const receipt = await aliceOnA.waitFor('read', (e) => e.userId === bob.id && e.lastReadSeq === ack.message.seq);
    expect(receipt.readByAllSeq).toBe(ack.message.seq);
  });

  it("delivers a REST send on B to the sender's and recipient's sockets on A", async () => {
    const [aliceOnA, bobOnA] = await Promise.all([live(a, alice), live(a, bob)]);
    const sent = await b.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', bob.auth).send({ text: 'from B over REST' }).expect(201);
    await aliceOnA.waitFor<{ message: { id: number } }>('message:new', (e) => e.message.id === sent.body.id);
    await bobOnA.waitFor<{ message: { id: number; readByMe: boolean } }>('message:new', (e) => e.message.id === sent.body.id && e.message.readByMe);
  });

  it('keeps presence right across instances', async () => {
    const aliceOnA = await live(a, alice);
    const carolOnB = await live(b, carol);
    await aliceOnA.waitFor('presence', (e) => e.userId === carol.id && e.online === true);
    carolOnB.close();
    await aliceOnA.waitFor('presence', (e) => e.userId === carol.id && e.online === false);
  });

  it('keeps another deployment on the same Redis out: its users with the same ids get nothing', async () => {
    // A separate deployment (its own database, REDIS_KEY_PREFIX and secret) whose users have the same ids as ours.
    const other = await startTestApp({ REDIS_URL: process.env.REDIS_URL as string });
    try {
      const twins = await Promise.all([other.createUser('alice'), other.createUser('bob'), other.createUser('carol')]);
      const bobsTwin = twins.find((twin) => twin.id === bob.id);
      expect(bobsTwin).toBeDefined();
      const [aliceOnA, bobOnB, twinOnOther] = await Promise.all([live(a, alice), live(b, bob), live(other, bobsTwin as TestUser)]);
      for (const text of ['for bob only', 'still for bob only']) {
        const ack = await aliceOnA.request<{ ok: boolean; message: { id: number } }>('message:send', { threadId, text, clientMessageId: randomUUID() });
        await bobOnB.waitFor<{ message: { id: number } }>('message:new', (e) => e.message.id === ack.message.id);
      }
      // Both messages went through Redis to instance B; the other deployment's twin saw none of it.
      expect(twinOnOther.received.map((r) => r.event)).toEqual(['hello']);
    } finally {
      await other.close();
    }
  });

  it('relays typing from A to B', async () => {
    const [aliceOnA, bobOnB] = await Promise.all([live(a, alice), live(b, bob)]);
    await aliceOnA.request('typing', { threadId, isTyping: true });
    expect(await bobOnB.waitFor('typing', (e) => e.userId === alice.id)).toEqual({ threadId, userId: alice.id, isTyping: true });
  });
});
