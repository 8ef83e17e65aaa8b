import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { meOnline, waitUntilListedAs } from '../support/presence.js';
import { connectLive } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * The threads list is serialized by PostgreSQL (threadDtoJsonSql), a single thread by toThreadDto: each element of
 * the list must be, byte for byte, what GET /api/v1/threads/{id}/ answers to the same user.
 */
describe('thread JSON built by PostgreSQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (user: TestUser, threadId: number, text: string): Promise<unknown> =>
    t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201);

  async function expectListAsSingleViews(viewer: TestUser, query = ''): Promise<number[]> {
    const list = await t.http().get(`/api/v1/threads/${query}`).set('Authorization', viewer.auth).expect(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const ids = (JSON.parse(list.text) as { results: { id: number }[] }).results.map((thread) => thread.id);
    const singles: string[] = [];
    for (const id of ids) singles.push((await t.http().get(`/api/v1/threads/${id}/`).set('Authorization', viewer.auth).expect(200)).text);
    expect(list.text).toContain(`"results":[${singles.join(',')}]}`);
    return ids;
  }

  it('writes what toThreadDto writes: participants, owner, last message and its flags, unread count, for each viewer', async () => {
    const ann = await t.createUser('tj_ann', { displayName: 'Ann "A" \\ Ö 😀' });
    const bob = await t.createUser('tj_bob', { displayName: 'Bob\u2028<b>' });
    const cy = await t.createUser('tj_cy');
    const dee = await t.createUser('tj_dee');
    const empty = await t.createThread(ann, [dee]);
    const direct = await t.createThread(ann, [bob]);
    const group = await t.createThread(ann, [bob, cy], 'Title "quoted" \\ <i>é</i> 🎉');
    const handedOver = await t.createThread(bob, [ann, cy], 'Owner left');
    await send(ann, direct, 'hi "bob"\n\u0001');
    await send(bob, direct, 'back 😀');
    await send(cy, group, 'from cy');
    await send(ann, group, 'from ann');
    await send(bob, handedOver, 'bye');
    // Last messages that were edited (editedAt) and deleted (a tombstone: text "", deletedAt).
    const lastOf = async (threadId: number, viewer: TestUser): Promise<number> =>
      ((await t.http().get(`/api/v1/threads/${threadId}/`).set('Authorization', viewer.auth).expect(200)).body as { lastMessage: { id: number } }).lastMessage
        .id;
    await t
      .http()
      .patch(`/api/v1/messages/${await lastOf(direct, bob)}/`)
      .set('Authorization', bob.auth)
      .send({ text: 'back "edited" 😀' })
      .expect(200);
    await t
      .http()
      .delete(`/api/v1/messages/${await lastOf(handedOver, bob)}/`)
      .set('Authorization', bob.auth)
      .expect(204);
    // The owner leaves: the group passes to its longest-standing member, and the list must show the new owner.
    await t.http().delete(`/api/v1/threads/${handedOver}/participants/${bob.id}/`).set('Authorization', bob.auth).expect(204);
    // Some read, some not: unread counts and read flags differ per viewer.
    await t.http().post(`/api/v1/threads/${group}/read/`).set('Authorization', bob.auth).expect(200);

    for (const viewer of [ann, bob, cy]) expect((await expectListAsSingleViews(viewer)).length).toBeGreaterThan(0);
    expect(await expectListAsSingleViews(ann)).toEqual([handedOver, group, direct, empty]);
    expect(await expectListAsSingleViews(ann, '?limit=2&offset=1')).toEqual([group, direct]);
    // Past the last page: no results, the count still right.
    const past = await t.http().get('/api/v1/threads/?offset=10').set('Authorization', ann.auth).expect(200);
    expect(JSON.parse(past.text)).toMatchObject({ count: 4, results: [] });
    const none = await t.createUser('tj_none');
    expect(JSON.parse((await t.http().get('/api/v1/threads/').set('Authorization', none.auth).expect(200)).text)).toEqual({
      count: 0,
      next: null,
      previous: null,
      results: [],
    });
  });

  it('writes the same `online` for a connected participant and last sender as toThreadDto', async () => {
    const [eve, fay, gus] = [await t.createUser('tj_eve'), await t.createUser('tj_fay'), await t.createUser('tj_gus')];
    const group = await t.createThread(eve, [fay, gus], 'Online group');
    await send(fay, group, 'fay is here');
    const fayLive = await connectLive(t.baseUrl, fay.token);
    try {
      await waitUntilListedAs(true, () => meOnline(t, fay));
      for (const viewer of [eve, fay]) expect(await expectListAsSingleViews(viewer)).toEqual([group]);
      const list = await t.http().get('/api/v1/threads/').set('Authorization', eve.auth).expect(200);
      const [thread] = (list.body as { results: { participants: { id: number; online: boolean }[]; lastMessage: { sender: { online: boolean } } }[] }).results;
      expect(thread.participants.map((user) => [user.id, user.online])).toEqual([
        [eve.id, false],
        [fay.id, true],
        [gus.id, false],
      ]);
      expect(thread.lastMessage.sender.online).toBe(true);
    } finally {
      fayLive.close();
    }
  });
});
