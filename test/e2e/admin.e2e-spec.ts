import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

type Agent = ReturnType<typeof request.agent>;

interface AdminRecord {
  id: string;
  title: string;
  params: Record<string, unknown>;
  populated: Record<string, { title: string } | undefined>;
  errors: Record<string, { message: string } | undefined>;
}

interface Notice {
  message: string;
  type: 'success' | 'error' | 'info';
}

describe('admin panel over HTTP', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let admin: Agent;
  let threadId: number;
  const open: LiveClient[] = [];

  /** A signed-in admin session (supertest's agent keeps the cookie). */
  const signIn = async (login: string, password: string): Promise<{ agent: Agent; response: request.Response }> => {
    const agent = request.agent(t.baseUrl);
    const response = await agent.post('/admin/login').type('form').send({ email: login, password });
    return { agent, response };
  };
  const send = (user: TestUser, id: number, text: string) =>
    t.http().post(`/api/v1/threads/${id}/messages/`).set('Authorization', user.auth).send({ text }).expect(201);
  const history = async (user: TestUser, id: number): Promise<{ seq: number; text: string; id: number }[]> =>
    (await t.http().get(`/api/v1/threads/${id}/messages/`).set('Authorization', user.auth).expect(200)).body.results;
  const unreadOf = async (user: TestUser, id: number): Promise<number> =>
    (await t.http().get(`/api/v1/threads/${id}/messages/unread_count/`).set('Authorization', user.auth).expect(200)).body.unreadCount;
  const threadMessages = async (id: number): Promise<AdminRecord[]> =>
    (await admin.get('/admin/api/resources/Message/actions/list').query({ 'filters.threadId': id, sortBy: 'seq', direction: 'asc', perPage: 50 }).expect(200))
      .body.records;

  beforeAll(async () => {
    t = await startTestApp();
    await t.createUser('staffer', { isStaff: true, password: 'staff-password', displayName: 'Sam Staff' });
    alice = await t.createUser('alice', { displayName: 'Alice' });
    bob = await t.createUser('bob', { displayName: 'Bob' });
    carol = await t.createUser('carol', { displayName: 'Carol' });
    threadId = (
      await t
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', alice.auth)
        .send({ participants: [bob.id] })
        .expect(201)
    ).body.id;
    await send(alice, threadId, 'Hi Bob');
    await send(bob, threadId, 'Hi Alice');
    await send(alice, threadId, 'Lunch on Thursday?');
    ({ agent: admin } = await signIn('staffer', 'staff-password'));
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(() => t.close());

  describe('sign-in', () => {
    it('sends a visitor without a session to the login page', async () => {
      const page = await t.http().get('/admin').expect(302);
      expect(page.headers.location).toBe('/admin/login');
      const api = await t.http().get('/admin/api/resources/Thread/actions/list').expect(302);
      expect(api.headers.location).toBe('/admin/login');
      const login = await t.http().get('/admin/login').expect(200);
      expect(login.text).toContain('Parley admin');
    });

    it('refuses a user who is not staff with a message saying so, and gives no session', async () => {
      const { agent, response } = await signIn('alice', 'password');
      expect(response.status).toBe(400);
      expect(response.text).toContain('not a staff account');
      expect(response.headers['set-cookie']).toBeUndefined();
      await agent.get('/admin').expect(302);
    });

    it('refuses a wrong password like an unknown user', async () => {
      for (const login of ['staffer', 'nobody']) {
        const { agent, response } = await signIn(login, 'wrong-password');
        expect(response.text).toContain('invalidCredentials');
        await agent.get('/admin/api/dashboard').expect(302);
      }
    });

    it('signs staff in (by username or email) with an httpOnly, SameSite=Lax, expiring cookie kept in the database', async () => {
      const { agent, response } = await signIn('staffer@example.test', 'staff-password');
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/admin');
      const cookie = (response.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('parley_admin='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\/admin/);
      const expires = new Date(/Expires=([^;]+)/.exec(cookie ?? '')?.[1] ?? '').getTime();
      expect(expires).toBeGreaterThan(Date.now());
      expect(expires).toBeLessThanOrEqual(Date.now() + 8 * 3600 * 1000 + 60_000);
      const page = await agent.get('/admin').expect(200);
      expect(page.text).toContain('Parley admin');

      // The session lives in the database (signed cookie id: "s:<sid>.<signature>"), and signing out ends it.
      const sid = decodeURIComponent(/^parley_admin=([^;]+)/.exec(cookie ?? '')?.[1] ?? '')
        .slice(2)
        .split('.')[0];
      const db = t.app.get(DataSource);
      expect(await db.query(`SELECT count(*)::int AS n FROM admin_sessions WHERE sid = $1`, [sid])).toEqual([{ n: 1 }]);
      await agent.get('/admin/logout').expect(302);
      expect(await db.query(`SELECT count(*)::int AS n FROM admin_sessions WHERE sid = $1`, [sid])).toEqual([{ n: 0 }]);
      await agent.get('/admin').expect(302);
    });

    it('refuses an oversized body before parsing it', async () => {
      await t
        .http()
        .post('/admin/login')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ email: 'x'.repeat(70 * 1024), password: 'y' }))
        .expect(413);
    });
  });

  describe('threads and their messages', () => {
    it('lists threads with participants, message count and last activity', async () => {
      const body = (await admin.get('/admin/api/resources/Thread/actions/list').expect(200)).body;
      const row = (body.records as AdminRecord[]).find((r) => Number(r.id) === threadId);
      expect(row?.params).toMatchObject({ type: 'direct', participants: 'alice, bob', lastSeq: 3, name: 'alice & bob' });
      expect(row?.title).toBe(`#${threadId} alice & bob`);
      expect(row?.params.updatedAt).toBeDefined();
    });

    it('filters threads by participant and type', async () => {
      const group = (
        await t
          .http()
          .post('/api/v1/threads/')
          .set('Authorization', carol.auth)
          .send({ participants: [alice.id, bob.id], title: 'Planning' })
          .expect(201)
      ).body.id;
      const ofCarol = (await admin.get('/admin/api/resources/Thread/actions/list').query({ 'filters.participant': carol.id }).expect(200)).body;
      expect((ofCarol.records as AdminRecord[]).map((r) => Number(r.id))).toEqual([group]);
      expect((ofCarol.records as AdminRecord[])[0]?.params.name).toBe('Planning');
      const direct = (await admin.get('/admin/api/resources/Thread/actions/list').query({ 'filters.type': 'direct' }).expect(200)).body;
      expect((direct.records as AdminRecord[]).map((r) => r.params.type)).not.toContain('group');
    });

    it('lists an untitled group by its participants', async () => {
      const untitled = await t.createThread(alice, [bob, carol]);
      const body = (await admin.get('/admin/api/resources/Thread/actions/list').expect(200)).body;
      const row = (body.records as AdminRecord[]).find((r) => Number(r.id) === untitled);
      expect(row?.params).toMatchObject({ type: 'group', title: null, name: 'alice, bob, carol (untitled)' });
      expect(row?.title).toBe(`#${untitled} alice, bob, carol (untitled)`);
      // Leaves the counts the later tests expect.
      await t.http().delete(`/api/v1/threads/${untitled}/`).set('Authorization', alice.auth).expect(204);
    });

    it("returns a thread's messages in seq order with their senders", async () => {
      const records = await threadMessages(threadId);
      expect(records.map((r) => r.params.seq)).toEqual([1, 2, 3]);
      expect(records.map((r) => r.params.text)).toEqual(['Hi Bob', 'Hi Alice', 'Lunch on Thursday?']);
      expect(records.map((r) => r.populated.senderId?.title)).toEqual(['alice', 'bob', 'alice']);
      const show = (await admin.get(`/admin/api/resources/Thread/records/${threadId}/show`).expect(200)).body;
      expect(show.record.params).toMatchObject({ id: threadId, participants: 'alice, bob' });
    });

    it('searches messages by text, case-insensitively', async () => {
      const body = (await admin.get('/admin/api/resources/Message/actions/list').query({ 'filters.text': 'LUNCH' }).expect(200)).body;
      expect((body.records as AdminRecord[]).map((r) => r.params.text)).toEqual(['Lunch on Thursday?']);
    });

    it('lists read markers of participants, read-only', async () => {
      const body = (await admin.get('/admin/api/resources/Participant/actions/list').query({ 'filters.threadId': threadId }).expect(200)).body;
      const markers = (body.records as AdminRecord[]).map((r) => [r.populated.userId?.title, r.params.lastReadSeq, r.params.unread]);
      expect(markers.sort()).toEqual([
        ['alice', 3, 0],
        ['bob', 2, 1],
      ]);
      const row = (body.records as AdminRecord[])[0];
      await admin.get(`/admin/api/resources/Participant/records/${row.id}/show`).expect(200);
      const refused = (await admin.post(`/admin/api/resources/Participant/records/${row.id}/delete`).send({}).expect(200)).body;
      expect(refused.notice.type).toBe('error');
    });

    it('sends a message on behalf of a participant, delivered live like any other', async () => {
      const bobLive = await connectLive(t.baseUrl, bob.token);
      open.push(bobLive);
      const response = await admin
        .post('/admin/api/resources/Message/actions/new')
        .send({ threadId: String(threadId), senderId: String(alice.id), text: '  Sent from the admin  ' })
        .expect(200);
      expect((response.body.notice as Notice).type).toBe('success');
      const live = await bobLive.waitFor<{ message: { text: string; seq: number; sender: { id: number }; threadId: number }; unreadCount: number }>(
        'message:new',
        (e) => e.message.text === 'Sent from the admin',
      );
      expect(live.message).toMatchObject({ threadId, seq: 4, sender: { id: alice.id } });
      expect(live.unreadCount).toBe(2);
      expect((await history(alice, threadId)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    });

    it('refuses to send as someone who is not in the thread, or empty text, and stores nothing', async () => {
      const outsider = (await admin.post('/admin/api/resources/Message/actions/new').send({ threadId, senderId: carol.id, text: 'intruding' }).expect(200))
        .body;
      expect(outsider.notice).toMatchObject({ type: 'error', message: expect.stringContaining('not a participant') });
      expect(outsider.record.errors.senderId.message).toContain('not a participant');
      const empty = (await admin.post('/admin/api/resources/Message/actions/new').send({ threadId, senderId: alice.id, text: '   ' }).expect(200)).body;
      expect(empty.notice.type).toBe('error');
      expect(empty.record.errors.text).toBeDefined();
      expect((await history(alice, threadId)).length).toBe(4);
    });

    it('edits and redacts a message in place (a redaction is a tombstone), live: seq stays gapless and unread counts do not move', async () => {
      const [first] = await history(alice, threadId);
      const unreadBefore = await unreadOf(bob, threadId);
      const [aliceLive, bobLive] = await Promise.all([connectLive(t.baseUrl, alice.token), connectLive(t.baseUrl, bob.token)]);
      open.push(aliceLive, bobLive);
      type Updated = { message: { id: number; text: string; editedAt: string | null; deletedAt: string | null; readByMe: boolean } };

      const edited = (await admin.post(`/admin/api/resources/Message/records/${first.id}/edit`).send({ text: 'Hi Bob (edited)' }).expect(200)).body;
      expect(edited.notice.type).toBe('success');
      expect(edited.record.params.text).toBe('Hi Bob (edited)');
      // Announced like the sender's own edit: message:updated to every participant, with each one's readByMe.
      const editedLive = await bobLive.waitFor<Updated>('message:updated', (e) => e.message.id === first.id && e.message.text === 'Hi Bob (edited)');
      expect(editedLive.message).toMatchObject({ editedAt: expect.any(String), deletedAt: null });
      expect((await aliceLive.waitFor<Updated>('message:updated', (e) => e.message.text === 'Hi Bob (edited)')).message.readByMe).toBe(true);
      const moved = (
        await admin
          .post(`/admin/api/resources/Message/records/${first.id}/edit`)
          .send({ threadId: threadId + 1000, text: 'x' })
          .expect(200)
      ).body;
      expect(moved.notice.type).toBe('error');

      const redacted = (await admin.post(`/admin/api/resources/Message/records/${first.id}/delete`).send({}).expect(200)).body;
      expect(redacted.notice.type).toBe('success');
      const tombstone = await bobLive.waitFor<Updated>('message:updated', (e) => e.message.id === first.id && e.message.deletedAt !== null);
      expect(tombstone.message.text).toBe('');
      const after = await history(alice, threadId);
      expect(after.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      expect(after[0]).toMatchObject({ id: first.id, seq: 1, text: '', editedAt: expect.any(String), deletedAt: expect.any(String) });
      expect(after[0]).toMatchObject({ editedAt: tombstone.message.editedAt, deletedAt: tombstone.message.deletedAt });
      // A tombstone cannot be edited, not even by staff.
      const refused = (await admin.post(`/admin/api/resources/Message/records/${first.id}/edit`).send({ text: 'back' }).expect(200)).body;
      expect(refused.notice.type).toBe('error');
      expect(await unreadOf(bob, threadId)).toBe(unreadBefore);
    });

    it('shows dashboard counts', async () => {
      const counts = (await admin.get('/admin/api/dashboard').expect(200)).body;
      expect(counts).toMatchObject({ users: 4, threads: 2 });
      expect(counts.messagesToday).toBeGreaterThanOrEqual(4);
      expect(counts.unreadBacklog).toBeGreaterThan(0);
    });

    it('deletes a thread through ThreadsService: messages go with it and participants are told live', async () => {
      const doomed = (
        await t
          .http()
          .post('/api/v1/threads/')
          .set('Authorization', bob.auth)
          .send({ participants: [carol.id] })
          .expect(201)
      ).body.id;
      await send(bob, doomed, 'soon gone');
      // A GET only reads (a link followed from another site carries the SameSite=Lax cookie): nothing is deleted.
      await admin.get(`/admin/api/resources/Thread/records/${doomed}/delete`).expect(200);
      await admin.get(`/admin/api/resources/Message/actions/new`).query({ threadId: doomed, senderId: bob.id, text: 'via GET' }).expect(200);
      expect((await history(bob, doomed)).map((m) => m.text)).toEqual(['soon gone']);
      const carolLive = await connectLive(t.baseUrl, carol.token);
      open.push(carolLive);
      const deleted = (await admin.post(`/admin/api/resources/Thread/records/${doomed}/delete`).send({}).expect(200)).body;
      expect(deleted.notice.type).toBe('success');
      await carolLive.waitFor<{ threadId: number }>('thread:deleted', (e) => e.threadId === doomed);
      await t.http().get(`/api/v1/threads/${doomed}/`).set('Authorization', bob.auth).expect(404);
      expect((await admin.get('/admin/api/resources/Message/actions/list').query({ 'filters.threadId': doomed }).expect(200)).body.meta.total).toBe(0);
    });
  });

  describe('users', () => {
    it('never shows the password hash', async () => {
      const list = (await admin.get('/admin/api/resources/User/actions/list').expect(200)).text;
      const show = (await admin.get(`/admin/api/resources/User/records/${alice.id}/show`).expect(200)).text;
      for (const body of [list, show]) {
        expect(body).not.toMatch(/passwordHash|scrypt\$/);
      }
    });

    it('creates a user with a hashed password, and sets a new one', async () => {
      const created = (
        await admin
          .post('/admin/api/resources/User/actions/new')
          .send({ username: 'dora', displayName: 'Dora', email: 'dora@example.test', password: 'first-password', isStaff: 'false' })
          .expect(200)
      ).body;
      expect(created.notice.type).toBe('success');
      const id = Number(created.record.id);
      const db = t.app.get(DataSource);
      const [{ hash }] = await db.query(`SELECT password_hash AS hash FROM users WHERE id = $1`, [id]);
      expect(hash).toMatch(/^scrypt\$/);
      await t.http().post('/api/token/').send({ username: 'dora', password: 'first-password' }).expect(200);

      const weak = (await admin.post(`/admin/api/resources/User/records/${id}/setPassword`).send({ password: 'short' }).expect(200)).body;
      expect(weak.record.errors.password.message).toMatch(/at least 8/);
      const set = (await admin.post(`/admin/api/resources/User/records/${id}/setPassword`).send({ password: 'second-password' }).expect(200)).body;
      expect(set.notice.type).toBe('success');
      await t.http().post('/api/token/').send({ username: 'dora', password: 'first-password' }).expect(401);
      await t.http().post('/api/token/').send({ username: 'dora', password: 'second-password' }).expect(200);
    });

    it('edits a user through UsersService, refusing a taken username', async () => {
      const taken = (await admin.post(`/admin/api/resources/User/records/${carol.id}/edit`).send({ username: 'alice' }).expect(200)).body;
      expect(taken.record.errors.username.message).toMatch(/taken/);
      const saved = (await admin.post(`/admin/api/resources/User/records/${carol.id}/edit`).send({ displayName: 'Carol C.', isStaff: 'true' }).expect(200))
        .body;
      // Fields not sent stay as they were.
      expect(saved.record.params).toMatchObject({ displayName: 'Carol C.', isStaff: true, username: 'carol', email: 'carol@example.test' });
      const me = (await t.http().get('/api/v1/users/me/').set('Authorization', carol.auth).expect(200)).body;
      expect(me).toMatchObject({ displayName: 'Carol C.', isStaff: true });
      // AdminJS's forms send an emptied field as a null marker: the email is removed, not refused.
      const cleared = (await admin.post(`/admin/api/resources/User/records/${carol.id}/edit`).send({ email: '__FORM_VALUE_NULL__' }).expect(200)).body;
      expect(cleared.notice.type).toBe('success');
      expect(cleared.record.params.email).toBeNull();
    });

    it('cuts a staff member off as soon as staff access is revoked', async () => {
      const { agent } = await signIn('carol', 'password');
      await agent.get('/admin/api/dashboard').expect(200);
      await admin.post(`/admin/api/resources/User/records/${carol.id}/edit`).send({ isStaff: 'false' }).expect(200);
      const refused = (
        await agent.post('/admin/api/resources/Message/actions/new').send({ threadId, senderId: alice.id, text: 'after revocation' }).expect(200)
      ).body;
      expect(refused.notice.type).toBe('error');
      expect((await history(alice, threadId)).map((m) => m.text)).not.toContain('after revocation');
    });
  });

  describe('mistyped admin URLs', () => {
    it('answers an unknown resource, action or record with 404, and nonsense paging with the first page', async () => {
      for (const path of [
        '/admin/api/resources/Nope/actions/list',
        '/admin/api/resources/Nope/search/x',
        '/admin/api/resources/User/actions/nope',
        `/admin/api/resources/Thread/records/${threadId}/nope`,
        '/admin/api/resources/User/bulk/delete?recordIds=999999',
      ]) {
        const res = await admin.get(path);
        expect([path, res.status]).toEqual([path, 404]);
      }
      const page = await admin.get('/admin/api/resources/User/actions/list?page=-1&perPage=abc').expect(200);
      expect(page.body.records.length).toBeGreaterThan(0);
      // Without a session the same URLs still lead to the login page, revealing nothing.
      const anonymous = await t.http().get('/admin/api/resources/Nope/actions/list');
      expect(anonymous.status).toBe(302);
    });
  });
});
