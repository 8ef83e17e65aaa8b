import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MessagesRepository } from '../../libs/messages/src/messages.repository.js';
import { toMessageDto } from '../../libs/messages/src/message.mapper.js';
import { ReadersIndex } from '../../libs/messages/src/read-flags.js';
import { ThreadsRepository } from '../../libs/threads/src/threads.repository.js';
import { meOnline, waitUntilListedAs } from '../support/presence.js';
import { connectLive } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Texts JSON encoders tend to disagree on: escapes, control characters, non-BMP, line separators, markup. */
const AWKWARD_TEXTS = [
  'plain',
  'quote " backslash \\ slash / tab \t newline \n return \r',
  'controls \u0001\u0008\u000b\u000c\u001f and DEL \u007f',
  'emoji 😀👩🏽‍💻, astral 𝄞, combining e\u0301',
  'separators \u2028 \u2029 and BOM \ufeff',
  '<script>alert("x")</script> &amp; </textarea>',
  'right-to-left שלום مرحبا',
  '{"looks":"like json"}',
];

/**
 * History pages are serialized by PostgreSQL (messageDtoJsonSql), everything else by toMessageDto: both must write
 * the same bytes for the same message and viewer, flags included.
 */
describe('message JSON built by PostgreSQL', () => {
  let t: TestApp;
  let users: TestUser[];

  beforeAll(async () => {
    t = await startTestApp();
    users = [
      await t.createUser('json_ann', { displayName: 'Ann "the \\ quoted" Ö 😀' }),
      await t.createUser('json_bob', { displayName: 'Bob\u2028Line' }),
      await t.createUser('json_cy', { displayName: 'Cy <b>' }),
    ];
  });
  afterAll(async () => {
    await t?.close();
  });

  async function expectSameAsMapper(threadId: number, viewer: TestUser, query: string): Promise<number> {
    const response = await t.http().get(`/api/v1/threads/${threadId}/messages/${query}`).set('Authorization', viewer.auth).expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(response.text) as { results: { seq: number }[] };
    const seqs = body.results.map((message) => message.seq);
    const messages = t.app.get(MessagesRepository);
    const participant = await t.app.get(ThreadsRepository).findThreadForParticipant(threadId, viewer.id);
    const records = (await messages.findAfterSeq(threadId, 0, 1000)).filter((record) => seqs.includes(record.seq));
    const readers = ReadersIndex.fromMarkers(await messages.findTwoLowestMarkers(threadId));
    const expected = records.map((record) => toMessageDto(record, participant!, readers));
    // Byte for byte: same fields, same order, same escapes, same dates.
    expect(response.text).toContain(`"results":${JSON.stringify(expected)}}`);
    return seqs.length;
  }

  it('writes what toMessageDto writes, for every viewer, in a direct thread and a group, forward and backward', async () => {
    const [ann, bob, cy] = users as [TestUser, TestUser, TestUser];
    const direct = await t.createThread(ann, [bob]);
    const group = await t.createThread(ann, [bob, cy], 'JSON group');
    for (const [i, text] of AWKWARD_TEXTS.entries()) {
      for (const threadId of [direct, group]) {
        const sender = [ann, bob, cy][i % (threadId === direct ? 2 : 3)];
        await t
          .http()
          .post(`/api/v1/threads/${threadId}/messages/`)
          .set('Authorization', sender.auth)
          .send({ text, ...(i % 2 === 0 ? { clientMessageId: randomUUID() } : {}) })
          .expect(201);
      }
    }
    // Markers at different places, so that readByMe and isRead differ from message to message and viewer to viewer.
    const readUpTo = async (threadId: number, reader: TestUser, seq: number): Promise<void> => {
      const page = await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', reader.auth).expect(200);
      const message = (page.body as { results: { id: number; seq: number }[] }).results.find((m) => m.seq === seq);
      await t.http().post(`/api/v1/messages/${message!.id}/read/`).set('Authorization', reader.auth).expect(200);
    };
    // Edited and deleted messages too: editedAt and deletedAt as strings, a tombstone's empty text.
    const ids = async (threadId: number): Promise<{ id: number; sender: { id: number } }[]> =>
      (
        (await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', ann.auth).expect(200)).body as {
          results: { id: number; sender: { id: number } }[];
        }
      ).results;
    for (const threadId of [direct, group]) {
      const [first, second, third] = await ids(threadId);
      const as = (message: { sender: { id: number } }): TestUser => users.find((user) => user.id === message.sender.id)!;
      await t.http().patch(`/api/v1/messages/${first.id}/`).set('Authorization', as(first).auth).send({ text: 'edited "é" \u2028 😀' }).expect(200);
      await t.http().delete(`/api/v1/messages/${second.id}/`).set('Authorization', as(second).auth).expect(204);
      await t.http().patch(`/api/v1/messages/${third.id}/`).set('Authorization', as(third).auth).send({ text: 'edited, then deleted' }).expect(200);
      await t.http().delete(`/api/v1/messages/${third.id}/`).set('Authorization', as(third).auth).expect(204);
    }
    await readUpTo(direct, bob, 3);
    await readUpTo(group, bob, 5);
    await readUpTo(group, cy, 2);

    for (const viewer of [ann, bob]) {
      expect(await expectSameAsMapper(direct, viewer, '')).toBe(AWKWARD_TEXTS.length);
      expect(await expectSameAsMapper(direct, viewer, '?beforeSeq=6&limit=3')).toBe(3);
    }
    for (const viewer of [ann, bob, cy]) {
      expect(await expectSameAsMapper(group, viewer, '?limit=5&offset=2')).toBe(5);
      expect(await expectSameAsMapper(group, viewer, '?afterSeq=4')).toBe(AWKWARD_TEXTS.length - 4);
    }
    // An empty page is an empty array.
    expect(await expectSameAsMapper(group, ann, `?afterSeq=${AWKWARD_TEXTS.length}`)).toBe(0);
  });

  it('writes the same `online` for a sender who is connected as for one who is not', async () => {
    const [ann, bob, cy] = users as [TestUser, TestUser, TestUser];
    const group = await t.createThread(ann, [bob, cy], 'JSON online');
    for (const sender of [ann, bob, cy]) {
      await t
        .http()
        .post(`/api/v1/threads/${group}/messages/`)
        .set('Authorization', sender.auth)
        .send({ text: `from ${sender.username}` })
        .expect(201);
    }
    const bobLive = await connectLive(t.baseUrl, bob.token);
    try {
      await waitUntilListedAs(true, () => meOnline(t, bob));
      for (const viewer of [ann, bob]) expect(await expectSameAsMapper(group, viewer, '')).toBe(3);
      const page = await t.http().get(`/api/v1/threads/${group}/messages/`).set('Authorization', ann.auth).expect(200);
      expect((page.body as { results: { sender: { online: boolean } }[] }).results.map((message) => message.sender.online)).toEqual([false, true, false]);
    } finally {
      bobLive.close();
    }
  });
});
