import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

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
