import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MessagesRepository } from '../../libs/messages/src/messages.repository.js';
import { LiveUpdatesService } from '../../libs/realtime/src/live-updates.service.js';
import { LiveSockets, type LiveClient } from '../support/sockets.js';
import { deploymentEnv, startTestApp, startTwoInstances, type TestApp, type TestUser } from '../support/test-app.js';

interface Message {
  id: number;
  threadId: number;
  seq: number;
  text: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  readByMe: boolean;
  isRead: boolean;
}

/** Editing and deleting messages over HTTP: the sender only, tombstones, state that does not move, search. */
describe('PATCH and DELETE /api/v1/messages/{id}/', () => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  let direct: number;

  const send = async (user: TestUser, threadId: number, text: string): Promise<Message> =>
    (await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201)).body as Message;
  const history = async (user: TestUser, threadId: number): Promise<Message[]> =>
    ((await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).expect(200)).body as { results: Message[] }).results;
  const unread = async (user: TestUser, threadId: number): Promise<number> =>
    ((await t.http().get(`/api/v1/threads/${threadId}/messages/unread_count/`).set('Authorization', user.auth).expect(200)).body as { unreadCount: number })
      .unreadCount;
  const edit = (user: TestUser, id: number | string, body: unknown) =>
    t
      .http()
      .patch(`/api/v1/messages/${id}/`)
      .set('Authorization', user.auth)
      .send(body as object);
  const remove = (user: TestUser, id: number | string) => t.http().delete(`/api/v1/messages/${id}/`).set('Authorization', user.auth);

  beforeAll(async () => {
    t = await startTestApp();
    ann = await t.createUser('edit_ann');
    bob = await t.createUser('edit_bob');
    cy = await t.createUser('edit_cy');
    direct = await t.createThread(ann, [bob]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('edits the text (trimmed): editedAt set, seq, time and read state unchanged, in history and the threads list', async () => {
    const sent = await send(ann, direct, 'Lunch on Thursday?');
    const unreadBefore = await unread(bob, direct);
    const edited = (await edit(ann, sent.id, { text: '  Lunch on Friday?  ' }).expect(200)).body as Message;
    expect(edited).toMatchObject({
      id: sent.id,
      seq: sent.seq,
      createdAt: sent.createdAt,
      text: 'Lunch on Friday?',
      deletedAt: null,
      readByMe: true,
      isRead: false,
    });
    expect(Date.parse(edited.editedAt!)).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));
    expect(sent.editedAt).toBeNull();
    const inHistory = (await history(bob, direct)).find((message) => message.id === sent.id);
    expect(inHistory).toMatchObject({ text: 'Lunch on Friday?', editedAt: edited.editedAt, readByMe: false });
    expect(await unread(bob, direct)).toBe(unreadBefore);
    const thread = (await t.http().get(`/api/v1/threads/${direct}/`).set('Authorization', bob.auth).expect(200)).body as { lastMessage: Message };
    expect(thread.lastMessage).toMatchObject({ id: sent.id, text: 'Lunch on Friday?', editedAt: edited.editedAt });
  });

  it('deletes as a tombstone: same id and seq, text "", deletedAt; unread until read; deleting again is 204; editing it is 409', async () => {
    const kept = await send(ann, direct, 'keep me');
    const doomed = await send(ann, direct, 'take this back');
    const after = await send(ann, direct, 'after it');
    const unreadBefore = await unread(bob, direct);
    await remove(ann, doomed.id).expect(204);
    const messages = await history(bob, direct);
    const seqs = messages.map((message) => message.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const tombstone = messages.find((message) => message.id === doomed.id)!;
    expect(tombstone).toMatchObject({ seq: doomed.seq, text: '', createdAt: doomed.createdAt, readByMe: false, deletedAt: expect.any(String) });
    expect(messages.find((message) => message.id === kept.id)?.text).toBe('keep me');
    expect(messages.find((message) => message.id === after.id)?.text).toBe('after it');
    // A tombstone counts as unread until read, like any message.
    expect(await unread(bob, direct)).toBe(unreadBefore);
    await remove(ann, doomed.id).expect(204);
    expect((await history(bob, direct)).find((message) => message.id === doomed.id)).toEqual(tombstone);
    const conflict = (await edit(ann, doomed.id, { text: 'back again' }).expect(409)).body as { code: string };
    expect(conflict.code).toBe('message_deleted');
    expect((await history(bob, direct)).find((message) => message.id === doomed.id)).toEqual(tombstone);
    // Reading it works as for any message.
    const read = (await t.http().post(`/api/v1/messages/${doomed.id}/read/`).set('Authorization', bob.auth).expect(200)).body as { lastReadSeq: number };
    expect(read.lastReadSeq).toBe(doomed.seq);
  });

  it('lets only the sender change a message: another participant 403, an outsider and a missing message the same 404; nothing changes', async () => {
    const mine = await send(ann, direct, 'only mine');
    const before = await history(ann, direct);
    for (const request of [edit(bob, mine.id, { text: 'hijacked' }), remove(bob, mine.id)]) {
      expect((await request.expect(403)).body).toMatchObject({ statusCode: 403, code: 'not_message_sender' });
    }
    const outsider = [(await edit(cy, mine.id, { text: 'x' }).expect(404)).body, (await remove(cy, mine.id).expect(404)).body];
    const missing = [(await edit(ann, 999_999, { text: 'x' }).expect(404)).body, (await remove(ann, 999_999).expect(404)).body];
    expect(outsider).toEqual(missing);
    expect(missing[0]).toMatchObject({ statusCode: 404, code: 'message_not_found' });
    await t.http().patch(`/api/v1/messages/${mine.id}/`).send({ text: 'x' }).expect(401);
    await t.http().delete(`/api/v1/messages/${mine.id}/`).expect(401);
    expect(await history(ann, direct)).toEqual(before);
  });

  it('holds an edit to the rules of sending: empty, oversize, NUL, unknown fields and bad ids are 400 and change nothing', async () => {
    const mine = await send(ann, direct, 'rules');
    const before = await history(ann, direct);
    const bodies: unknown[] = [{}, { text: '' }, { text: '   ' }, { text: 'x'.repeat(4001) }, { text: 'a\u0000b' }, { text: 42 }, { text: 'ok', seq: 1 }];
    for (const body of bodies) {
      const answer = (await edit(ann, mine.id, body).expect(400)).body as { statusCode: number; code: string };
      expect(answer.statusCode).toBe(400);
      expect(typeof answer.code).toBe('string');
    }
    for (const id of ['abc', '0', '-1', '1.5']) {
      await edit(ann, id, { text: 'ok' }).expect(400);
      await remove(ann, id).expect(400);
    }
    // 4000 characters (astral ones count once) are fine.
    await edit(ann, mine.id, { text: '😀'.repeat(4000) }).expect(200);
    expect((await history(ann, direct)).map((message) => (message.id === mine.id ? { ...message, text: 'rules', editedAt: null } : message))).toEqual(before);
  });

  it('keeps search right: an edit is found by its new words only, a tombstone never', async () => {
    const search = async (q: string): Promise<number[]> =>
      (
        (
          await t
            .http()
            .get(`/api/v1/messages/search/?q=${encodeURIComponent(q)}`)
            .set('Authorization', bob.auth)
            .expect(200)
        ).body as { results: Message[] }
      ).results.map((message) => message.id);
    const message = await send(ann, direct, 'pancakes for breakfast');
    expect(await search('pancakes')).toEqual([message.id]);
    await edit(ann, message.id, { text: 'waffles for breakfast' }).expect(200);
    expect(await search('pancakes')).toEqual([]);
    expect(await search('waffles')).toEqual([message.id]);
    await remove(ann, message.id).expect(204);
    expect(await search('waffles')).toEqual([]);
    expect(await search('breakfast')).toEqual([]);
  });
});

interface Ack {
  ok: boolean;
  message?: Message;
  error?: { code: string; reason?: string; message: string };
}

/**
 * A message's own state: every field but its sender's `online`, which follows the sender's sockets (presence), not
 * the message's changes: an update and a later read of history may differ there and still hold the same message.
 */
const ownState = (message: Message): Message => {
  const { sender, ...rest } = message as Message & { sender: Record<string, unknown> };
  const { online: _online, ...senderWithoutOnline } = sender;
  return { ...rest, sender: senderWithoutOnline } as Message;
};

/** What a socket holds as a message's state: its last message:updated (ownState). */
const lastUpdateOf = (client: LiveClient, messageId: number): Message | undefined => {
  const last = client
    .all<{ message: Message }>('message:updated')
    .filter((e) => e.message.id === messageId)
    .at(-1)?.message;
  return last && ownState(last);
};

/**
 * message:edit / message:delete over Socket.IO, and message:updated on every participant's sockets; with REDIS_URL
 * set, on two instances sharing one database and one Redis, racing edits and deletes through both transports.
 */
describe('message:edit, message:delete and message:updated', () => {
  // Two instances need a database both reach: the PostgreSQL server.
  const scaledOut = process.env.REDIS_URL !== undefined && process.env.DATABASE_URL !== undefined;
  let a: TestApp;
  let b: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  let thread: number;
  const sockets = new LiveSockets();
  const live = (app: TestApp, user: TestUser): Promise<LiveClient> => sockets.connect(app.baseUrl, user.token);

  beforeAll(async () => {
    // A second instance on the same database and Redis; without them, the one instance plays both parts.
    if (scaledOut) [a, b] = await startTwoInstances(deploymentEnv('edits'));
    else b = a = await startTestApp();
    [ann, bob, cy] = [await a.createUser('live_ann'), await a.createUser('live_bob'), await a.createUser('live_cy')];
    thread = await a.createThread(ann, [bob]);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
  });

  const sendOn = async (app: TestApp, text: string): Promise<Message> =>
    (await app.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', ann.auth).send({ text }).expect(201)).body as Message;
  const storedAs = async (viewer: TestUser, id: number): Promise<Message> => {
    const page = (await a.http().get(`/api/v1/threads/${thread}/messages/?limit=200`).set('Authorization', viewer.auth).expect(200)).body as {
      results: Message[];
    };
    return ownState(page.results.find((message) => message.id === id) as Message);
  };

  it('answers message:edit and message:delete like the REST routes, and tells every socket of every participant', async () => {
    const [annHere, annThere, bobThere, cyHere] = [await live(a, ann), await live(b, ann), await live(b, bob), await live(a, cy)];
    const sent = await sendOn(a, 'Lunch on Thursday?');
    const ack = await annHere.request<Ack>('message:edit', { messageId: sent.id, text: '  Lunch on Friday?  ' });
    expect(ack).toMatchObject({
      ok: true,
      message: { id: sent.id, seq: sent.seq, text: 'Lunch on Friday?', editedAt: expect.any(String), deletedAt: null, readByMe: true },
    });
    for (const client of [annHere, annThere, bobThere]) {
      const updated = await client.waitFor<{ message: Message }>('message:updated', (e) => e.message.id === sent.id);
      expect(updated.message).toMatchObject({ text: 'Lunch on Friday?', editedAt: ack.message?.editedAt, readByMe: client !== bobThere, isRead: false });
    }
    expect(await storedAs(bob, sent.id)).toEqual(lastUpdateOf(bobThere, sent.id));

    expect(await bobThere.request<Ack>('message:edit', { messageId: sent.id, text: 'mine now' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'not_message_sender' },
    });
    expect(await cyHere.request<Ack>('message:delete', { messageId: sent.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found', reason: 'message_not_found' },
    });
    expect(await annThere.request<Ack>('message:delete', { messageId: sent.id })).toEqual({ ok: true });
    for (const client of [annHere, annThere, bobThere]) {
      const tombstone = await client.waitFor<{ message: Message }>('message:updated', (e) => e.message.id === sent.id && e.message.deletedAt !== null);
      expect(tombstone.message).toMatchObject({ text: '', seq: sent.seq });
    }
    expect(await annHere.request<Ack>('message:edit', { messageId: sent.id, text: 'undo' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', reason: 'message_deleted' },
    });
    // Read by bob: a later change carries bob's readByMe true.
    await b.http().post(`/api/v1/threads/${thread}/read/`).set('Authorization', bob.auth).expect(200);
    const later = await sendOn(b, 'one more');
    await a.http().post(`/api/v1/messages/${later.id}/read/`).set('Authorization', bob.auth).expect(200);
    await a.http().patch(`/api/v1/messages/${later.id}/`).set('Authorization', ann.auth).send({ text: 'one more, edited' }).expect(200);
    const seenByBob = await bobThere.waitFor<{ message: Message }>('message:updated', (e) => e.message.id === later.id);
    expect(seenByBob.message).toMatchObject({ text: 'one more, edited', readByMe: true, isRead: true });
    // Nobody outside the thread heard of any of it.
    expect(cyHere.all('message:updated')).toEqual([]);
  });

  it('converges on the stored state when edits and deletes race (REST and socket, both instances), and never announces a change before the message', async () => {
    const sockets = { annHere: await live(a, ann), annThere: await live(b, ann), bobHere: await live(a, bob), bobThere: await live(b, bob) };
    const all = Object.values(sockets);
    const rounds = 12;
    const ids: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Changes start right after the send answers: their message:new may still be on its way to some sockets.
      const sent = await sendOn(round % 2 === 0 ? a : b, `round ${round}`);
      ids.push(sent.id);
      const restEdit = (app: TestApp, text: string) => app.http().patch(`/api/v1/messages/${sent.id}/`).set('Authorization', ann.auth).send({ text });
      const answers = await Promise.all([
        restEdit(a, `round ${round}: REST edit on A`),
        sockets.annThere.request<Ack>('message:edit', { messageId: sent.id, text: `round ${round}: socket edit on B` }),
        round % 3 === 0 ? b.http().delete(`/api/v1/messages/${sent.id}/`).set('Authorization', ann.auth) : restEdit(b, `round ${round}: REST edit on B`),
        sockets.annHere.request<Ack>(round % 3 === 1 ? 'message:delete' : 'message:edit', {
          messageId: sent.id,
          text: round % 3 === 1 ? undefined : `round ${round}: socket edit on A`,
        }),
      ]);
      for (const answer of answers) {
        // Every change either applied or met the tombstone (409 / conflict): nothing else.
        const outcome = 'status' in answer ? answer.status : answer.ok ? 'ok' : answer.error?.reason;
        expect([200, 204, 409, 'ok', 'message_deleted']).toContain(outcome);
      }
    }
    // A last change of a marker message through each instance: once it arrived everywhere, every earlier change has too.
    const marker = await sendOn(a, 'marker');
    await a.http().patch(`/api/v1/messages/${marker.id}/`).set('Authorization', ann.auth).send({ text: 'marker (A)' }).expect(200);
    await b.http().patch(`/api/v1/messages/${marker.id}/`).set('Authorization', ann.auth).send({ text: 'marker (B)' }).expect(200);
    for (const client of all)
      await client.waitFor<{ message: Message }>('message:updated', (e) => e.message.id === marker.id && e.message.text === 'marker (B)');
    for (const id of ids) {
      const stored = { ann: await storedAs(ann, id), bob: await storedAs(bob, id) };
      for (const [name, client] of Object.entries(sockets)) {
        const viewer = name.startsWith('ann') ? stored.ann : stored.bob;
        // Converged: its last message:updated is what history holds (for that viewer).
        await client.waitFor<{ message: Message }>(
          'message:updated',
          (e) => e.message.id === id && JSON.stringify(ownState(e.message)) === JSON.stringify(viewer),
        );
        expect({ socket: name, last: lastUpdateOf(client, id) }).toEqual({ socket: name, last: viewer });
        // And never a change before the message itself.
        const events = client.received.filter((r) => (r.data as { message?: Message } | undefined)?.message?.id === id).map((r) => r.event);
        expect({ socket: name, first: events[0] }).toEqual({ socket: name, first: 'message:new' });
        expect(events.filter((event) => event === 'message:new')).toHaveLength(1);
      }
    }

    // A change that reaches an instance late (another instance's packet, delayed in Redis) is older than what its
    // sockets have: it is dropped. Delivery to an instance's own sockets is synchronous, so the frame of the edit
    // after it would come after it.
    const [lastId] = ids.slice(-1);
    const record = (await b.app.get(MessagesRepository).findById(lastId))!;
    b.app.get(LiveUpdatesService).acceptUpdatesFromOtherInstance([
      {
        threadId: thread,
        message: { ...record, text: 'stale', revision: record.revision - 1, createdAt: record.createdAt.toISOString(), editedAt: null, deletedAt: null },
        readers: [
          { userId: ann.id, lastReadSeq: 0 },
          { userId: bob.id, lastReadSeq: 0 },
        ],
      },
    ]);
    await b.http().patch(`/api/v1/messages/${marker.id}/`).set('Authorization', ann.auth).send({ text: 'marker, again' }).expect(200);
    for (const client of [sockets.annThere, sockets.bobThere]) {
      await client.waitFor<{ message: Message }>('message:updated', (e) => e.message.id === marker.id && e.message.text === 'marker, again');
      expect(client.all<{ message: Message }>('message:updated').some((e) => e.message.text === 'stale')).toBe(false);
    }
  });
});
