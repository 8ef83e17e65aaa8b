import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface Message {
  id: number;
  seq: number;
  readByMe: boolean;
  isRead: boolean;
}

describe('read state', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  const send = async (user: TestUser, threadId: number, text: string): Promise<Message> =>
    (await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201)).body as Message;
  const post = (user: TestUser, path: string, body: object = {}) => t.http().post(path).set('Authorization', user.auth).send(body);
  const flags = async (user: TestUser, threadId: number): Promise<Record<number, { readByMe: boolean; isRead: boolean }>> => {
    const res = await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).expect(200);
    return Object.fromEntries((res.body.results as Message[]).map((m) => [m.seq, { readByMe: m.readByMe, isRead: m.isRead }]));
  };
  const unread = async (user: TestUser, threadId: number): Promise<number> =>
    (await t.http().get(`/api/v1/threads/${threadId}/messages/unread_count/`).set('Authorization', user.auth).expect(200)).body.unreadCount as number;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, carol] = await Promise.all([t.createUser('alice'), t.createUser('bob'), t.createUser('carol')]);
  });
  afterAll(() => t.close());

  it('keeps readByMe, isRead and unread counts exact across three users in a group', async () => {
    const group = (await post(alice, '/api/v1/threads/', { participants: [bob.id, carol.id], title: 'Three' }).expect(201)).body.id as number;
    const m1 = await send(alice, group, 'one');
    const m2 = await send(alice, group, 'two');
    const m3 = await send(bob, group, 'three');

    // Sending reads everything up to the sent message; own messages never count as unread.
    expect(await unread(alice, group)).toBe(1);
    expect(await unread(bob, group)).toBe(0);
    expect(await unread(carol, group)).toBe(3);
    expect(await flags(carol, group)).toEqual({
      1: { readByMe: false, isRead: false },
      2: { readByMe: false, isRead: false },
      3: { readByMe: false, isRead: false },
    });

    // carol reads up to 2: alice's two messages are now read by everyone else.
    const carolRead = await post(carol, `/api/v1/messages/${m2.id}/read/`).expect(200);
    expect(carolRead.body).toEqual({ threadId: group, lastReadSeq: 2, unreadCount: 1, totalUnread: 1 });
    expect(await flags(alice, group)).toEqual({
      1: { readByMe: true, isRead: true },
      2: { readByMe: true, isRead: true },
      3: { readByMe: false, isRead: false },
    });

    // bob's message is read by all only when the last of the others (carol) has read it.
    await post(alice, `/api/v1/threads/${group}/read/`).expect(200);
    expect((await flags(bob, group))[3]).toEqual({ readByMe: true, isRead: false });
    await post(carol, `/api/v1/messages/${m3.id}/read/`).expect(200);
    expect((await flags(bob, group))[3]).toEqual({ readByMe: true, isRead: true });

    // Reading an older message never moves the marker back.
    const backwards = await post(carol, `/api/v1/messages/${m1.id}/read/`).expect(200);
    expect(backwards.body).toMatchObject({ lastReadSeq: 3, unreadCount: 0 });
  });

  it("marks unread from a message on, never counting the reader's own later messages", async () => {
    const group = (await post(alice, '/api/v1/threads/', { participants: [bob.id, carol.id], title: 'Unread' }).expect(201)).body.id as number;
    const m1 = await send(alice, group, 'one');
    const m2 = await send(alice, group, 'two');
    await send(bob, group, 'three (bob)');

    const unreadFrom2 = await post(bob, `/api/v1/messages/${m2.id}/unread/`).expect(200);
    expect(unreadFrom2.body).toMatchObject({ threadId: group, lastReadSeq: 1, unreadCount: 1 });
    expect(await flags(bob, group)).toEqual({
      1: { readByMe: true, isRead: false },
      2: { readByMe: false, isRead: false },
      3: { readByMe: true, isRead: false },
    });

    await send(alice, group, 'four');
    expect(await unread(bob, group)).toBe(2);

    const unreadFrom1 = await post(bob, `/api/v1/messages/${m1.id}/unread/`).expect(200);
    expect(unreadFrom1.body).toMatchObject({ lastReadSeq: 0, unreadCount: 3 });

    // Marking an already unread message unread changes nothing.
    expect((await post(bob, `/api/v1/messages/${m2.id}/unread/`).expect(200)).body).toMatchObject({ lastReadSeq: 0, unreadCount: 3 });

    const upTo2 = await post(bob, `/api/v1/threads/${group}/read/`, { messageId: m2.id }).expect(200);
    expect(upTo2.body).toMatchObject({ lastReadSeq: 2, unreadCount: 1 });
    const all = await post(bob, `/api/v1/threads/${group}/read/`).expect(200);
    expect(all.body).toMatchObject({ lastReadSeq: 4, unreadCount: 0 });
  });

  it('tells a direct sender when the recipient has read', async () => {
    const direct = (await post(alice, '/api/v1/threads/', { participants: [carol.id] }).expect(201)).body.id as number;
    const hello = await send(alice, direct, 'hello carol');
    expect(hello).toMatchObject({ readByMe: true, isRead: false });
    await post(carol, `/api/v1/messages/${hello.id}/read/`).expect(200);
    expect((await flags(alice, direct))[1]).toEqual({ readByMe: true, isRead: true });
  });

  it('sums unread counts over threads and lists only threads with unread', async () => {
    const dave = await t.createUser('dave');
    const erin = await t.createUser('erin');
    const withDave = (await post(erin, '/api/v1/threads/', { participants: [dave.id] }).expect(201)).body.id as number;
    const group = (await post(erin, '/api/v1/threads/', { participants: [dave.id, alice.id], title: 'Sum' }).expect(201)).body.id as number;
    const quiet = (await post(dave, '/api/v1/threads/', { participants: [alice.id] }).expect(201)).body.id as number;
    await send(erin, withDave, 'a');
    await send(erin, withDave, 'b');
    await send(erin, group, 'c');
    await send(dave, quiet, 'mine');

    const summary = await t.http().get('/api/v1/unread_count/').set('Authorization', dave.auth).expect(200);
    expect(summary.body.totalUnread).toBe(3);
    expect([...summary.body.threads].sort((a: { threadId: number }, b: { threadId: number }) => a.threadId - b.threadId)).toEqual([
      { threadId: withDave, unreadCount: 2 },
      { threadId: group, unreadCount: 1 },
    ]);

    const threads = await t.http().get('/api/v1/threads/').set('Authorization', dave.auth).expect(200);
    const counts = Object.fromEntries((threads.body.results as { id: number; unreadCount: number }[]).map((th) => [th.id, th.unreadCount]));
    expect(counts).toEqual({ [withDave]: 2, [group]: 1, [quiet]: 0 });

    const read = await post(dave, `/api/v1/threads/${withDave}/read/`).expect(200);
    expect(read.body).toEqual({ threadId: withDave, lastReadSeq: 2, unreadCount: 0, totalUnread: 1 });
  });

  it('refuses a messageId from another thread when reading a thread', async () => {
    const first = (await post(alice, '/api/v1/threads/', { participants: [bob.id] })).body.id as number;
    const second = (await post(alice, '/api/v1/threads/', { participants: [carol.id] })).body.id as number;
    const elsewhere = await send(alice, second, 'elsewhere');
    const res = await post(alice, `/api/v1/threads/${first}/read/`, { messageId: elsewhere.id }).expect(404);
    expect(res.body.code).toBe('message_not_found');
  });

  it('answers 404 for a message of a thread the caller is not in, exactly as for a missing message', async () => {
    const dm = (await post(alice, '/api/v1/threads/', { participants: [bob.id] })).body.id as number;
    const secret = await send(alice, dm, 'between alice and bob');
    const hidden = await post(carol, `/api/v1/messages/${secret.id}/read/`).expect(404);
    const missing = await post(carol, '/api/v1/messages/99999999/read/').expect(404);
    expect(hidden.body).toEqual(missing.body);
    await post(carol, `/api/v1/messages/${secret.id}/unread/`).expect(404);
  });
});
