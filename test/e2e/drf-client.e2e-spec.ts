import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemoData } from '../../apps/api/src/demo-data.js';
import { multipart, pairsOf, urlencoded, URLENCODED } from '../support/forms.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The request shapes of a client written for a Django REST Framework + Simple JWT chat API, replayed against Parley
 * with the demo data (as `npm run demo` serves it): sign-in and refresh as multipart and urlencoded forms, every
 * request with `Authorization: JWT <access>`, LimitOffset pages, a group created with every member listed (the caller
 * too) and no title, participants repeated in a form, messages sent as form-data, reading by explicit read calls.
 */
describe('a Simple JWT + DRF client', () => {
  let t: TestApp;
  let access: string;
  let refresh: string;
  const ids: Record<string, number> = {};

  /** A request as such a client sends it: JWT header type. */
  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `JWT ${token}`),
    post: (path: string) => t.http().post(path).set('Authorization', `JWT ${token}`),
    delete: (path: string) => t.http().delete(path).set('Authorization', `JWT ${token}`),
  });
  /** Sign-in with a urlencoded form; the access token. */
  const signInWithForm = async (username: string): Promise<string> =>
    (
      await t
        .http()
        .post('/api/token/')
        .type('form')
        .send(urlencoded(pairsOf({ username, password: 'password' })))
        .expect(200)
    ).body.access as string;
  const formData = (fields: Record<string, string | number | (string | number)[]>) => multipart(pairsOf(fields));

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoData(t.app);
  });
  afterAll(() => t?.close());

  it('signs in with a multipart form (as its Postman collection sends it) and gets the token pair', async () => {
    const form = formData({ username: 'davidjones', password: 'password' });
    const res = await t.http().post('/api/token/').set('Content-Type', form.contentType).send(form.body).expect(200);
    expect(res.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
    access = res.body.access as string;
    refresh = res.body.refresh as string;
  });

  it('signs in with a urlencoded form too, and is told plainly what is missing', async () => {
    expect(await signInWithForm('marybrown')).toEqual(expect.any(String));
    const res = await t
      .http()
      .post('/api/token/')
      .set('Content-Type', URLENCODED)
      .send(urlencoded([['username', 'marybrown']]))
      .expect(400);
    expect(res.body.message).toEqual(['password is required']);
  });

  it('refreshes with a multipart and then a urlencoded form; a used refresh token is refused', async () => {
    const form = formData({ refresh });
    const first = await t.http().post('/api/token/refresh/').set('Content-Type', form.contentType).send(form.body).expect(200);
    const second = await t
      .http()
      .post('/api/token/refresh/')
      .set('Content-Type', URLENCODED)
      .send(urlencoded([['refresh', first.body.refresh as string]]))
      .expect(200);
    access = second.body.access as string;
    // Rotation as Simple JWT's with blacklisting: the used one is refused (and its whole family with it).
    await t
      .http()
      .post('/api/token/refresh/')
      .set('Content-Type', URLENCODED)
      .send(urlencoded([['refresh', refresh]]))
      .expect(401);
  });

  it('authenticates every request with "Authorization: JWT <access>", and a bad one is a 401 that names both header types', async () => {
    const me = await as(access).get('/api/v1/users/me/').expect(200);
    expect(me.body.username).toBe('davidjones');
    ids.david = me.body.id as number;
    const refused = await t.http().get('/api/v1/users/me/').set('Authorization', `JWT ${access}x`).expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, code: 'invalid_token' });
    const missing = await t.http().get('/api/v1/users/me/').expect(401);
    expect(missing.body.message).toMatch(/Bearer .*JWT /);
  });

  it('pages lists LimitOffset-style: count, next, previous, results', async () => {
    const users = await as(access).get('/api/v1/users/?limit=2&offset=0').expect(200);
    expect(users.body).toEqual({ count: expect.any(Number), next: expect.stringContaining('limit=2'), previous: null, results: expect.any(Array) });
    expect(users.body.results).toHaveLength(2);
    const everyone = await as(access).get('/api/v1/users/?limit=200').expect(200);
    for (const user of everyone.body.results as { id: number; username: string }[]) ids[user.username] = user.id;
    const second = await as(access)
      .get(new URL(users.body.next as string).pathname + new URL(users.body.next as string).search)
      .expect(200);
    expect(second.body.previous).toEqual(expect.stringContaining('offset=0'));
    const threads = await as(access).get('/api/v1/threads/?limit=1&offset=1').expect(200);
    expect(threads.body).toMatchObject({ count: 3, next: expect.any(String), previous: expect.any(String) });
  });

  let group: number;

  it('creates a group from JSON {"participants": [me, b, c]} with no title: 201, title null', async () => {
    const res = await as(access)
      .post('/api/v1/threads/')
      .send({ participants: [ids.david, ids.marybrown, ids.robertwilliams] })
      .expect(201);
    expect(res.body).toMatchObject({ type: 'group', title: null, createdBy: ids.david });
    expect((res.body.participants as { username: string }[]).map((p) => p.username).sort()).toEqual(['davidjones', 'marybrown', 'robertwilliams']);
    group = res.body.id as number;
  });

  it('creates a group from a form with participants repeated, and finds an existing direct thread with 200', async () => {
    const form = formData({ participants: [ids.david, ids.jamessmith, ids.sarahjohnson] });
    const res = await as(access).post('/api/v1/threads/').set('Content-Type', form.contentType).send(form.body).expect(201);
    expect(res.body).toMatchObject({ type: 'group', title: null });
    expect(res.body.participants).toHaveLength(3);
    await as(access).delete(`/api/v1/threads/${res.body.id}/`).expect(204);
    // A DRF API would create a second direct thread with 201; Parley answers the one that exists with 200.
    const direct = await as(access)
      .post('/api/v1/threads/')
      .type('form')
      .send(urlencoded([['participants', String(ids.jamessmith)]]))
      .expect(200);
    expect(direct.body.type).toBe('direct');
  });

  it('sends as form-data and as a urlencoded form, and reads by an explicit read call', async () => {
    const form = formData({ text: 'Hello from a DRF client' });
    const sent = await as(access).post(`/api/v1/threads/${group}/messages/`).set('Content-Type', form.contentType).send(form.body).expect(201);
    expect(sent.body).toMatchObject({ seq: 1, text: 'Hello from a DRF client', sender: { username: 'davidjones' }, readByMe: true, isRead: false });
    await as(access)
      .post(`/api/v1/threads/${group}/messages/`)
      .type('form')
      .send(urlencoded([['text', 'and one more']]))
      .expect(201);

    // marybrown's client, as it lists and reads: fetching marks nothing read, the read call does.
    const mary = await signInWithForm('marybrown');
    const history = await as(mary).get(`/api/v1/threads/${group}/messages/?limit=50&offset=0`).expect(200);
    expect(history.body).toMatchObject({ count: 2, next: null, previous: null });
    expect((history.body.results as { readByMe: boolean }[]).map((m) => m.readByMe)).toEqual([false, false]);
    const read = await as(mary).post(`/api/v1/threads/${group}/read/`).expect(200);
    expect(read.body).toMatchObject({ threadId: group, lastReadSeq: 2, unreadCount: 0 });
    const after = await as(access).get(`/api/v1/threads/${group}/messages/`).expect(200);
    expect((after.body.results as { isRead: boolean }[]).map((m) => m.isRead)).toEqual([false, false]);
    // robertwilliams has not read yet: isRead waits for every other participant.
    const robert = (await t.http().post('/api/token/').send({ username: 'robertwilliams', password: 'password' })).body.access as string;
    await as(robert).post(`/api/v1/messages/${sent.body.id}/read/`).expect(200);
    const partly = await as(access).get(`/api/v1/threads/${group}/messages/`).expect(200);
    expect((partly.body.results as { isRead: boolean }[]).map((m) => m.isRead)).toEqual([true, false]);
  });
});
