import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { connectLive, connectOutcome, LiveSockets, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface Message {
  id: number;
  threadId: number;
  seq: number;
  text: string;
  sender: { id: number };
  readByMe: boolean;
  isRead: boolean;
}

describe('live delivery over Socket.IO', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const sockets = new LiveSockets();
  let userCount = 0;

  const live = (user: TestUser): Promise<LiveClient> => sockets.connect(t.baseUrl, user.token);
  const createThread = (owner: TestUser, others: TestUser[], title?: string): Promise<number> => t.createThread(owner, others, title);

  beforeAll(async () => {
    t = await startTestApp();
  });
  // Fresh users for every test, so that no test meets another one's direct thread.
  beforeEach(async () => {
    userCount += 1;
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => t.createUser(`${name}${userCount}`)));
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  it('refuses a connection without a valid token with connect_error "unauthorized"', async () => {
    expect(await connectOutcome(t.baseUrl, {})).toBe('unauthorized');
    expect(await connectOutcome(t.baseUrl, { token: 'garbage' })).toBe('unauthorized');
    expect(await connectOutcome(t.baseUrl, { token: `${alice.token}x` })).toBe('unauthorized');
    expect(await connectOutcome(t.baseUrl, { token: alice.token })).toBe('connected');
  });

  it('greets every connection with hello: the user and its total unread', async () => {
    const threadId = await createThread(alice, [bob]);
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: 'unread for bob' }).expect(201);
    const bobLive = await live(bob);
    const hello = await bobLive.waitFor('hello');
    expect(hello).toEqual({ user: { id: bob.id, username: bob.username, displayName: bob.username, online: true }, totalUnread: 1 });
  });

  it("delivers a socket send to the recipient and to the sender's other tab, once each, after acking it", async () => {
    const threadId = await createThread(alice, [bob]);
    const [aliceTab1, aliceTab2, bobLive] = await Promise.all([live(alice), live(alice), live(bob)]);
    const clientMessageId = randomUUID();
    const ack = await aliceTab1.request<{ ok: boolean; message: Message }>('message:send', { threadId, text: 'hi bob', clientMessageId });
    expect(ack).toMatchObject({ ok: true, message: { threadId, text: 'hi bob', sender: { id: alice.id }, readByMe: true, isRead: false } });

    // One frame per socket: the message with the receiving user's counts and the thread's readByAllSeq.
    const atBob = await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === ack.message.id);
    expect(atBob).toEqual({
      message: expect.objectContaining({ seq: ack.message.seq, text: 'hi bob', readByMe: false, isRead: false }),
      unreadCount: 1,
      totalUnread: 1,
      readByAllSeq: 0,
    });
    const atOtherTab = await aliceTab2.waitFor<{ message: Message }>('message:new', (e) => e.message.id === ack.message.id);
    expect(atOtherTab).toEqual({ message: expect.objectContaining({ readByMe: true }), unreadCount: 0, totalUnread: 0, readByAllSeq: 0 });

    // A retry with the same clientMessageId acks the same message and broadcasts nothing new.
    const retry = await aliceTab1.request<{ ok: boolean; message: Message }>('message:send', { threadId, text: 'hi bob', clientMessageId });
    expect(retry.message.id).toBe(ack.message.id);
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: 'marker' }).expect(201);
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.text === 'marker');
    expect(bobLive.all<{ message: Message }>('message:new').filter((e) => e.message.id === ack.message.id)).toHaveLength(1);
    // A send causes no read or unread frame: its counts travelled inside message:new.
    for (const client of [aliceTab1, aliceTab2, bobLive]) expect(client.received.map((r) => r.event).filter((e) => e === 'read' || e === 'unread')).toEqual([]);
  });

  it("carries each participant's counts after each message in message:new, across threads and groups", async () => {
    const direct = await createThread(alice, [bob]);
    const group = await createThread(alice, [bob, carol], 'Counts');
    const [aliceLive, bobLive, carolLive] = await Promise.all([live(alice), live(bob), live(carol)]);
    const bobBefore = (await t.http().get('/api/v1/unread_count/').set('Authorization', bob.auth).expect(200)).body.totalUnread as number;
    const carolBefore = (await t.http().get('/api/v1/unread_count/').set('Authorization', carol.auth).expect(200)).body.totalUnread as number;
    // Concurrent sends, so that several land in one batch.
    const sends = await Promise.all([
      aliceLive.request<{ message: Message }>('message:send', { threadId: direct, text: 'd1', clientMessageId: randomUUID() }),
      aliceLive.request<{ message: Message }>('message:send', { threadId: group, text: 'g1', clientMessageId: randomUUID() }),
      aliceLive.request<{ message: Message }>('message:send', { threadId: direct, text: 'd2', clientMessageId: randomUUID() }),
      bobLive.request<{ message: Message }>('message:send', { threadId: group, text: 'g2 from bob', clientMessageId: randomUUID() }),
      aliceLive.request<{ message: Message }>('message:send', { threadId: group, text: 'g3', clientMessageId: randomUUID() }),
    ]);
    const ids = sends.map((send) => send.message.id);
    const last = Math.max(...ids);
    await Promise.all([aliceLive, bobLive, carolLive].map((client) => client.waitFor<{ message: Message }>('message:new', (e) => e.message.id === last)));
    type Frame = { message: Message; unreadCount: number; totalUnread: number; readByAllSeq: number };
    const frames = (client: LiveClient): Frame[] => client.all<Frame>('message:new').filter((e) => ids.includes(e.message.id));
    // The last frame each user got holds exactly what the REST API says now.
    for (const [user, client] of [
      [bob, bobLive],
      [carol, carolLive],
      [alice, aliceLive],
    ] as const) {
      const counts = (await t.http().get('/api/v1/unread_count/').set('Authorization', user.auth).expect(200)).body as {
        totalUnread: number;
        threads: { threadId: number; unreadCount: number }[];
      };
      const got = frames(client);
      const newest = got.reduce((a, b) => (b.message.id > a.message.id ? b : a));
      expect(newest.totalUnread).toBe(counts.totalUnread);
      for (const threadId of [direct, group]) {
        const inThread = got.filter((f) => f.message.threadId === threadId);
        if (inThread.length === 0) continue;
        const latest = inThread.reduce((a, b) => (b.message.seq > a.message.seq ? b : a));
        expect(latest.unreadCount).toBe(counts.threads.find((c) => c.threadId === threadId)?.unreadCount ?? 0);
      }
    }
    // Every frame's totals step by one per message from someone else, in the order the user received them.
    const bobTotals = frames(bobLive)
      .filter((f) => f.message.sender.id !== bob.id)
      .map((f) => f.totalUnread);
    expect(bobTotals[0]).toBeGreaterThan(bobBefore);
    const carolTotals = frames(carolLive).map((f) => f.totalUnread);
    expect(carolTotals).toEqual(carolTotals.map((_, i) => carolBefore + i + 1));
    // readByAllSeq in the group: nobody but the latest sender has read the latest message.
    const groupFrames = frames(carolLive);
    expect(groupFrames.every((f) => f.readByAllSeq < f.message.seq)).toBe(true);
  });

  it('delivers messages sent over REST the same way, in seq order', async () => {
    const threadId = await createThread(alice, [bob]);
    const bobLive = await live(bob);
    for (let i = 1; i <= 10; i += 1) {
      await t
        .http()
        .post(`/api/v1/threads/${threadId}/messages/`)
        .set('Authorization', alice.auth)
        .send({ text: `rest ${i}` })
        .expect(201);
    }
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.text === 'rest 10');
    const seqs = bobLive
      .all<{ message: Message }>('message:new')
      .filter((e) => e.message.threadId === threadId)
      .map((e) => e.message.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('tells the sender when the recipient read, and the reader its own counts', async () => {
    const threadId = await createThread(alice, [bob]);
    const [aliceLive, bobLive] = await Promise.all([live(alice), live(bob)]);
    const sent = await aliceLive.request<{ message: Message }>('message:send', { threadId, text: 'read me', clientMessageId: randomUUID() });
    const readAck = await bobLive.request('message:read', { threadId, messageId: sent.message.id });
    expect(readAck).toEqual({ ok: true, threadId, lastReadSeq: 1, unreadCount: 0, totalUnread: expect.any(Number) });
    const receipt = await aliceLive.waitFor('read', (e) => e.threadId === threadId && e.userId === bob.id);
    expect(receipt).toEqual({ threadId, userId: bob.id, lastReadSeq: 1, readAt: expect.any(String), readByAllSeq: 1 });
    await bobLive.waitFor('unread', (e) => e.threadId === threadId && e.unreadCount === 0);

    const unreadAck = await bobLive.request('message:unread', { threadId, messageId: sent.message.id });
    expect(unreadAck).toMatchObject({ ok: true, lastReadSeq: 0, unreadCount: 1 });
    const back = await aliceLive.waitFor('read', (e) => e.threadId === threadId && e.userId === bob.id && e.lastReadSeq === 0);
    expect(back.readByAllSeq).toBe(0);
    await bobLive.waitFor('unread', (e) => e.threadId === threadId && e.unreadCount === 1);
  });

  it('moves readByAllSeq in a group only when the last member has read', async () => {
    const group = await createThread(alice, [bob, carol], 'Receipts');
    const [aliceLive, bobLive, carolLive] = await Promise.all([live(alice), live(bob), live(carol)]);
    const sent = await aliceLive.request<{ message: Message }>('message:send', { threadId: group, text: 'all of you', clientMessageId: randomUUID() });
    await bobLive.request('thread:read', { threadId: group });
    const afterBob = await aliceLive.waitFor('read', (e) => e.threadId === group && e.userId === bob.id);
    expect(afterBob.readByAllSeq).toBe(0);
    await carolLive.request('message:read', { threadId: group, messageId: sent.message.id });
    const afterCarol = await aliceLive.waitFor('read', (e) => e.threadId === group && e.userId === carol.id);
    expect(afterCarol.readByAllSeq).toBe(sent.message.seq);
  });

  it('relays typing to the other participants, throttled to one per second per user and thread', async () => {
    const threadId = await createThread(alice, [bob]);
    const [aliceLive, bobLive] = await Promise.all([live(alice), live(bob)]);
    expect(await aliceLive.request('typing', { threadId, isTyping: true })).toEqual({ ok: true, relayed: true });
    expect(await aliceLive.request('typing', { threadId, isTyping: true })).toEqual({ ok: true, relayed: false });
    expect(await aliceLive.request('typing', { threadId, isTyping: false })).toEqual({ ok: true, relayed: true });
    await bobLive.waitFor('typing', (e) => e.isTyping === false);
    expect(bobLive.all('typing')).toEqual([
      { threadId, userId: alice.id, isTyping: true },
      { threadId, userId: alice.id, isTyping: false },
    ]);
    expect(aliceLive.all('typing')).toEqual([]);
  });

  it('announces presence to users who share a thread', async () => {
    const dave = await t.createUser(`dave${userCount}`);
    await createThread(dave, [alice]);
    const aliceLive = await live(alice);
    const daveLive = await live(dave);
    await aliceLive.waitFor('presence', (e) => e.userId === dave.id && e.online === true);
    daveLive.close();
    await aliceLive.waitFor('presence', (e) => e.userId === dave.id && e.online === false);
  });

  it('tells nobody about a user who shares no thread with them', async () => {
    const [hermit, gwen] = await Promise.all([t.createUser(`hermit${userCount}`), t.createUser(`gwen${userCount}`)]);
    await createThread(gwen, [alice]);
    const aliceLive = await live(alice);
    // The hermit's "online" would be emitted right after its hello, so before gwen's, which alice does get.
    await live(hermit);
    await live(gwen);
    await aliceLive.waitFor('presence', (e) => e.userId === gwen.id && e.online === true);
    expect(aliceLive.all<{ userId: number }>('presence').filter((e) => e.userId === hermit.id)).toEqual([]);
  });

  it('tells participants about new, changed and deleted threads', async () => {
    const [bobLive, carolLive] = await Promise.all([live(bob), live(carol)]);
    const group = await createThread(alice, [bob], 'Lifecycle');
    const created = await bobLive.waitFor<{ thread: { id: number; title: string } }>('thread:new', (e) => e.thread.id === group);
    expect(created.thread.title).toBe('Lifecycle');
    await t.http().post(`/api/v1/threads/${group}/participants/`).set('Authorization', alice.auth).send({ userId: carol.id }).expect(201);
    await bobLive.waitFor<{ thread: { id: number; participants: unknown[] } }>(
      'thread:updated',
      (e) => e.thread.id === group && e.thread.participants.length === 3,
    );
    await carolLive.waitFor<{ thread: { id: number } }>('thread:updated', (e) => e.thread.id === group);
    await t.http().delete(`/api/v1/threads/${group}/`).set('Authorization', alice.auth).expect(204);
    await bobLive.waitFor('thread:deleted', (e) => e.threadId === group);
    await carolLive.waitFor('thread:deleted', (e) => e.threadId === group);

    // An untitled group travels with title null, and its views name the participants as ever.
    const untitled = await createThread(alice, [bob, carol]);
    const view = await carolLive.waitFor<{ thread: { id: number; title: string | null; participants: unknown[] } }>(
      'thread:new',
      (e) => e.thread.id === untitled,
    );
    expect(view.thread).toMatchObject({ type: 'group', title: null });
    expect(view.thread.participants).toHaveLength(3);
  });

  it('shows each member its own view of a changed thread: its unread count and read state, once', async () => {
    userCount += 1;
    const newcomer = await t.createUser(`newcomer${userCount}`);
    const group = await createThread(alice, [bob, carol], 'Views');
    for (const text of ['first', 'second']) {
      await t.http().post(`/api/v1/threads/${group}/messages/`).set('Authorization', alice.auth).send({ text }).expect(201);
    }
    const history = await t.http().get(`/api/v1/threads/${group}/messages/`).set('Authorization', bob.auth).expect(200);
    await t
      .http()
      .post(`/api/v1/messages/${(history.body as { results: Message[] }).results[1]?.id}/read/`)
      .set('Authorization', bob.auth)
      .expect(200);
    const [aliceLive, bobLive, carolLive, newcomerLive] = await Promise.all([live(alice), live(bob), live(carol), live(newcomer)]);
    await t.http().post(`/api/v1/threads/${group}/participants/`).set('Authorization', alice.auth).send({ userId: newcomer.id }).expect(201);

    type View = { thread: { id: number; participants: unknown[]; unreadCount: number; lastMessage: { text: string; readByMe: boolean } } };
    const updated = (e: View): boolean => e.thread.id === group && e.thread.participants.length === 4;
    const expected: [LiveClient, number, boolean][] = [
      [aliceLive, 0, true],
      [bobLive, 0, true],
      [carolLive, 2, false],
      // A new member starts at the newest message: the history is there, none of it unread.
      [newcomerLive, 0, true],
    ];
    for (const [client, unreadCount, readByMe] of expected) {
      const view = await client.waitFor<View>('thread:updated', updated);
      expect(view.thread).toMatchObject({ unreadCount, lastMessage: { text: 'second', readByMe } });
    }
    // Let anything still queued for this thread arrive, then count: one view each.
    await t.http().post(`/api/v1/threads/${group}/messages/`).set('Authorization', alice.auth).send({ text: 'after' }).expect(201);
    for (const [client] of expected) {
      await client.waitFor<{ message: Message }>('message:new', (e) => e.message.text === 'after' && e.message.threadId === group);
      expect(client.all<View>('thread:updated').filter(updated)).toHaveLength(1);
    }
  });

  it('stores one message for 50 concurrent sends of one clientMessageId over REST and two sockets, delivered once', async () => {
    const threadId = await createThread(alice, [bob]);
    const [tab1, tab2, bobLive] = await Promise.all([live(alice), live(alice), live(bob)]);
    const clientMessageId = randomUUID();
    const body = { threadId, text: 'exactly once', clientMessageId };
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        if (i % 3 === 0) {
          const res = await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: body.text, clientMessageId });
          return (res.body as Message).id;
        }
        const ack = await (i % 3 === 1 ? tab1 : tab2).request<{ ok: boolean; message: Message }>('message:send', body);
        return ack.message.id;
      }),
    );
    expect(new Set(answers).size).toBe(1);
    const history = await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', bob.auth).expect(200);
    expect(history.body.count).toBe(1);
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: 'after' }).expect(201);
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.text === 'after');
    expect(
      bobLive
        .all<{ message: Message }>('message:new')
        .filter((e) => e.message.threadId === threadId)
        .map((e) => e.message.seq),
    ).toEqual([1, 2]);
  });

  it('lets a client that was away catch up with afterSeq: every message once, contiguous', async () => {
    const threadId = await createThread(alice, [bob]);
    const bobLive = await live(bob);
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: 'before' }).expect(201);
    const first = await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.threadId === threadId);
    bobLive.close();
    const aliceLive = await live(alice);
    for (let i = 0; i < 20; i += 1) await aliceLive.request('message:send', { threadId, text: `missed ${i}`, clientMessageId: randomUUID() });
    const again = await live(bob);
    await again.waitFor('hello');
    const missed = await t.http().get(`/api/v1/threads/${threadId}/messages/?afterSeq=${first.message.seq}`).set('Authorization', bob.auth).expect(200);
    expect((missed.body.results as Message[]).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect((missed.body.results as Message[]).map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `missed ${i}`));
  });
});

describe('socket token expiry', () => {
  let t: TestApp;
  const secret = randomUUID() + randomUUID();

  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET: secret });
  });
  afterAll(() => t.close());

  it('disconnects a socket when its access token expires, telling the client to refresh and reconnect', async () => {
    const erin = await t.createUser('erin');
    const shortLived = new JwtService({ secret }).sign({ sub: String(erin.id), username: 'erin', staff: false, typ: 'access' }, { expiresIn: 2 });
    const client = await connectLive(t.baseUrl, shortLived);
    const disconnected = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    expect(await client.waitFor('auth:expired')).toEqual({ code: 'token_expired', message: expect.stringMatching(/refresh/) });
    expect(await disconnected).toBe('io server disconnect');
    expect(await connectOutcome(t.baseUrl, { token: shortLived })).toBe('unauthorized');
  });
});

describe('socket shutdown', () => {
  it('tells connected clients to reconnect when the server shuts down', async () => {
    const t = await startTestApp();
    const frank = await t.createUser('frank');
    const client = await connectLive(t.baseUrl, frank.token);
    await t.close();
    expect(await client.waitFor('server:shutdown')).toEqual({ reconnect: true, message: expect.stringMatching(/reconnect/) });
    client.close();
  });
});
