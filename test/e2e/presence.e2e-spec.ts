import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { onlineAsListed, waitUntilListedAs } from '../support/presence.js';
import { LiveSockets, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** `online` in every User the REST API lists: true while the user has a socket connected, false once none is. */
describe('online in REST users', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let threadId: number;
  const sockets = new LiveSockets();

  const live = (user: TestUser): Promise<LiveClient> => sockets.connect(t.baseUrl, user.token);
  const bobAsAliceSees = (): Promise<Record<string, unknown>> => onlineAsListed(t, alice, bob, threadId);

  beforeAll(async () => {
    // Short heartbeats, so that the expiry test below waits a second, not fifteen.
    t = await startTestApp({ PRESENCE_HEARTBEAT_MS: '200', PRESENCE_TTL_MS: '1000' });
    [alice, bob, carol] = await Promise.all([t.createUser('alice'), t.createUser('bob'), t.createUser('carol')]);
    threadId = await t.createThread(alice, [bob, carol], 'Team');
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', bob.auth).send({ text: 'hi' }).expect(201);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t?.close();
  });

  it('is false for a user without a socket, and a boolean in every user of the users list', async () => {
    expect(await bobAsAliceSees()).toEqual({ usersList: false, threadParticipants: false, threadsListParticipants: false, historySender: false, me: false });
    const list = await t.http().get('/api/v1/users/').set('Authorization', alice.auth).expect(200);
    expect(list.body.results.length).toBe(2);
    for (const user of list.body.results as { online: unknown }[]) expect(typeof user.online).toBe('boolean');
  });

  it('is true in the users list, me, thread participants and message senders while a socket is connected, false after it closes', async () => {
    const bobLive = await live(bob);
    await waitUntilListedAs(true, bobAsAliceSees);
    bobLive.close();
    await waitUntilListedAs(false, bobAsAliceSees);
  });

  it('says online in the hello of a socket that has just connected', async () => {
    const bobLive = await live(bob);
    expect(bobLive.all<{ user: { id: number; online: boolean } }>('hello')[0].user).toMatchObject({ id: bob.id, online: true });
  });

  it('stays true while the user still has another socket open', async () => {
    const [first, , carolLive] = await Promise.all([live(bob), live(bob), live(carol)]);
    await waitUntilListedAs(true, bobAsAliceSees);
    await waitUntilListedAs(true, () => onlineAsListed(t, alice, carol, threadId).then(({ usersList, me }) => ({ usersList, me })));
    first.close();
    // Carol's only socket closes after Bob's first: once she is offline, Bob's closed socket has been counted too.
    await new Promise((resolve) => setTimeout(resolve, 50));
    carolLive.close();
    await waitUntilListedAs(false, () => onlineAsListed(t, alice, carol, threadId).then(({ usersList, me }) => ({ usersList, me })));
    expect(await bobAsAliceSees()).toEqual({ usersList: true, threadParticipants: true, threadsListParticipants: true, historySender: true, me: true });
  });

  it('counts the users of an instance that stopped without cleaning up only until its heartbeat expires, and then prunes them', async () => {
    // What a crashed instance leaves behind: its row, last renewed for the TTL, and its users' rows.
    const db = t.app.get(DataSource);
    const crashed = randomUUID();
    await db.query(`INSERT INTO presence_instances (instance_id, expires_at) VALUES ($1, now() + interval '1 second')`, [crashed]);
    await db.query(`INSERT INTO user_presence (user_id, instance_id) VALUES ($1, $2)`, [bob.id, crashed]);
    expect((await bobAsAliceSees()).usersList).toBe(true);
    // A live instance (Alice's socket makes this one heartbeat) removes the expired one on a later heartbeat.
    await live(alice);
    await waitUntilListedAs(false, bobAsAliceSees);
    const pruned = async (): Promise<number> =>
      (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM user_presence WHERE instance_id = $1`, [crashed]))[0].n;
    const deadline = Date.now() + 15_000;
    while ((await pruned()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await pruned()).toBe(0);
  });
});
