import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/users/src/index.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Users, threads and participants through the real HTTP API on a real database: what a client of the
 * contract (/work/shared/api-contract.md, "Conventions", "Users" and "Threads") relies on.
 */

interface UserView {
  id: number;
  username: string;
  displayName: string;
  online: boolean;
}

interface Person extends TestUser {
  displayName: string;
}

interface Envelope<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

interface MessageView {
  id: number;
  threadId: number;
  seq: number;
  sender: UserView;
  text: string;
  createdAt: string;
  clientMessageId: string | null;
  readByMe: boolean;
  isRead: boolean;
}

interface ThreadView {
  id: number;
  type: 'direct' | 'group';
  title: string | null;
  participants: UserView[];
  createdBy: number | null;
  ownerId: number | null;
  createdAt: string;
  updatedAt: string;
  lastMessage: MessageView | null;
  unreadCount: number;
}

type Method = 'get' | 'post' | 'delete';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MISSING_ID = 999_999;

describe('users and threads', () => {
  let t: TestApp;
  /** Every user in the database, in creation order, as other users see them. */
  const everyone: UserView[] = [];

  let alice: Person;
  let bob: Person;
  let carol: Person;

  async function person(username: string, options: { displayName?: string; isStaff?: boolean } = {}): Promise<Person> {
    const displayName = options.displayName ?? username;
    const user = await t.createUser(username, { displayName, isStaff: options.isStaff ?? false });
    everyone.push({ id: user.id, username, displayName, online: false });
    return { ...user, displayName };
  }

  // No socket connects in this suite: everyone is offline.
  const view = (user: Person): UserView => ({ id: user.id, username: user.username, displayName: user.displayName, online: false });
  const byId = (users: UserView[]): UserView[] => [...users].sort((a, b) => a.id - b.id);
  const byUsername = (users: UserView[]): UserView[] => [...users].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));

  function call(method: Method, path: string, user: Person, body?: object) {
    const req = t.http()[method](path).set('Authorization', user.auth);
    return body === undefined ? req : req.send(body);
  }

  /** The path and query of an absolute `next`/`previous` link, to follow it against the test server. */
  function pathOf(link: string): string {
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  }

  function paramsOf(link: string | null): Record<string, string> {
    expect(link).not.toBeNull();
    return Object.fromEntries(new URL(link as string).searchParams.entries());
  }

  async function createThread(user: Person, body: object, status: number): Promise<ThreadView> {
    const res = await call('post', '/api/v1/threads/', user, body).expect(status);
    return res.body as ThreadView;
  }

  async function getThread(user: Person, id: number): Promise<ThreadView> {
    return (await call('get', `/api/v1/threads/${id}/`, user).expect(200)).body as ThreadView;
  }

  async function listThreads(user: Person, query = ''): Promise<Envelope<ThreadView>> {
    return (await call('get', `/api/v1/threads/${query}`, user).expect(200)).body as Envelope<ThreadView>;
  }

  async function send(user: Person, threadId: number, text: string): Promise<MessageView> {
    return (await call('post', `/api/v1/threads/${threadId}/messages/`, user, { text }).expect(201)).body as MessageView;
  }

  /** The contract's one error shape: {statusCode, error, message: string | string[], code?}, with a message a person can act on. */
  function expectError(body: unknown, statusCode: number, error: string): void {
    const { message, code, ...rest } = body as { message?: unknown; code?: unknown };
    expect(rest).toEqual({ statusCode, error });
    if (code !== undefined) expect(typeof code).toBe('string');
    const messages = Array.isArray(message) ? message : [message];
    expect(messages.length).toBeGreaterThan(0);
    for (const text of messages) expect(typeof text === 'string' && text.length > 0).toBe(true);
  }

  beforeAll(async () => {
    t = await startTestApp();
    alice = await person('alice', { displayName: 'Alice Liddell' });
    bob = await person('bob', { displayName: 'Bob Builder' });
    carol = await person('carol', { displayName: 'Carol Danvers' });
  });
  afterAll(() => t.close());

  describe('GET /api/v1/users/', () => {
    let marybeth: Person;

    beforeAll(async () => {
      // Enough users to fill more than one maximal page. Created through the real service (one scrypt each, no
      // sign-in): these users never call the API themselves.
      const users = t.app.get(UsersService);
      const names = Array.from({ length: 205 }, (_, i) => `pad${String(i).padStart(3, '0')}`);
      for (let i = 0; i < names.length; i += 16) {
        const batch = await Promise.all(
          names.slice(i, i + 16).map((username) => users.createUser({ username, displayName: `Filler ${username}`, email: null, password: 'password' })),
        );
        for (const user of batch) everyone.push({ id: user.id, username: user.username, displayName: user.displayName, online: false });
      }
      marybeth = await person('marybeth', { displayName: 'Beth Jones' });
      await person('rosemary', { displayName: 'Rose Tyler' });
      await person('zed', { displayName: 'Mary Quant' });
      await person('percent', { displayName: '100% Done' });
    });

    it('lists every other user, never the caller, ordered by username, across all pages', async () => {
      const seen: UserView[] = [];
      let path: string | null = '/api/v1/users/?limit=200';
      let pages = 0;
      let count = -1;
      while (path) {
        const res = await call('get', path, alice).expect(200);
        const page = res.body as Envelope<UserView>;
        expect(Object.keys(page).sort()).toEqual(['count', 'next', 'previous', 'results']);
        if (count === -1) count = page.count;
        expect(page.count).toBe(count);
        for (const user of page.results) {
          // Exactly these: nothing else may be exposed (no email, no isStaff, no password hash).
          expect(Object.keys(user).sort()).toEqual(['displayName', 'id', 'online', 'username']);
          seen.push({ id: user.id, username: user.username, displayName: user.displayName, online: user.online });
        }
        path = page.next ? pathOf(page.next) : null;
        pages += 1;
      }
      const expected = byUsername(everyone.filter((user) => user.id !== alice.id));
      expect(pages).toBe(2);
      expect(count).toBe(expected.length);
      expect(seen).toEqual(expected);
      expect(seen.map((user) => user.id)).not.toContain(alice.id);
    });

    it('searches usernames and display names case-insensitively, still excluding the caller', async () => {
      const fromAlice = (await call('get', '/api/v1/users/?search=mARy', alice).expect(200)).body as Envelope<UserView>;
      expect(fromAlice.count).toBe(3);
      expect(fromAlice.next).toBeNull();
      expect(fromAlice.previous).toBeNull();
      // marybeth and rosemary by username, zed by display name ("Mary Quant"); ordered by username.
      expect(fromAlice.results.map((user) => user.username)).toEqual(['marybeth', 'rosemary', 'zed']);

      const fromMarybeth = (await call('get', '/api/v1/users/?search=MARY', marybeth).expect(200)).body as Envelope<UserView>;
      expect(fromMarybeth.results.map((user) => user.username)).toEqual(['rosemary', 'zed']);
      expect(fromMarybeth.count).toBe(2);

      const byDisplayName = (await call('get', '/api/v1/users/?search=builder', alice).expect(200)).body as Envelope<UserView>;
      expect(byDisplayName.results).toEqual([view(bob)]);

      // Search text is literal: "%" finds the one display name containing it, not everyone.
      const literal = (await call('get', `/api/v1/users/?search=${encodeURIComponent('%')}`, alice).expect(200)).body as Envelope<UserView>;
      expect(literal.results.map((user) => user.username)).toEqual(['percent']);

      const none = (await call('get', '/api/v1/users/?search=nobody-by-that-name', alice).expect(200)).body as Envelope<UserView>;
      expect(none).toEqual({ count: 0, next: null, previous: null, results: [] });
    });

    it('pages with limit/offset: default limit 50, links carrying limit and offset', async () => {
      const all = byUsername(everyone.filter((user) => user.id !== alice.id));

      const first = (await call('get', '/api/v1/users/', alice).expect(200)).body as Envelope<UserView>;
      expect(first.count).toBe(all.length);
      expect(first.results).toHaveLength(50);
      expect(first.results.map((user) => user.id)).toEqual(all.slice(0, 50).map((user) => user.id));
      expect(first.previous).toBeNull();
      expect(paramsOf(first.next)).toMatchObject({ limit: '50', offset: '50' });

      const middle = (await call('get', '/api/v1/users/?limit=2&offset=2', alice).expect(200)).body as Envelope<UserView>;
      expect(middle.results.map((user) => user.id)).toEqual(all.slice(2, 4).map((user) => user.id));
      expect(paramsOf(middle.next)).toMatchObject({ limit: '2', offset: '4' });
      expect(paramsOf(middle.previous)).toMatchObject({ limit: '2', offset: '0' });

      // Following `next` yields the following page.
      const following = (await call('get', pathOf(middle.next as string), alice).expect(200)).body as Envelope<UserView>;
      expect(following.results.map((user) => user.id)).toEqual(all.slice(4, 6).map((user) => user.id));

      // The search is kept in the links.
      const searched = (await call('get', '/api/v1/users/?search=pad&limit=10', alice).expect(200)).body as Envelope<UserView>;
      expect(searched.count).toBe(205);
      expect(paramsOf(searched.next)).toMatchObject({ search: 'pad', limit: '10', offset: '10' });

      const last = (await call('get', `/api/v1/users/?offset=${all.length - 1}`, alice).expect(200)).body as Envelope<UserView>;
      expect(last.results.map((user) => user.id)).toEqual([all[all.length - 1]?.id]);
      expect(last.next).toBeNull();
    });

    it('clamps a limit above 200 to 200', async () => {
      const all = byUsername(everyone.filter((user) => user.id !== alice.id));
      expect(all.length).toBeGreaterThan(200);

      const res = (await call('get', '/api/v1/users/?limit=1000', alice).expect(200)).body as Envelope<UserView>;
      expect(res.results).toHaveLength(200);
      expect(res.results.map((user) => user.id)).toEqual(all.slice(0, 200).map((user) => user.id));
      expect(paramsOf(res.next)).toMatchObject({ limit: '200', offset: '200' });

      const offsetPage = (await call('get', '/api/v1/users/?limit=1000&offset=5', alice).expect(200)).body as Envelope<UserView>;
      expect(offsetPage.results).toHaveLength(200);
      expect(paramsOf(offsetPage.previous)).toMatchObject({ limit: '200', offset: '0' });
    });

    it('refuses a negative or non-numeric limit or offset with 400', async () => {
      for (const query of ['limit=-1', 'limit=abc', 'offset=-1', 'offset=abc']) {
        const res = await call('get', `/api/v1/users/?${query}`, alice).expect(400);
        expectError(res.body, 400, 'Bad Request');
      }
    });
  });

  describe('direct threads', () => {
    it('creates a direct thread with 201 and the full thread shape', async () => {
      const thread = await createThread(alice, { participants: [bob.id] }, 201);
      expect(thread).toEqual({
        id: expect.any(Number),
        type: 'direct',
        title: null,
        participants: expect.any(Array),
        createdBy: alice.id,
        ownerId: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        lastMessage: null,
        unreadCount: 0,
      });
      expect(Number.isInteger(thread.id) && thread.id > 0).toBe(true);
      expect(byId(thread.participants)).toEqual(byId([view(alice), view(bob)]));

      // Both participants see the same thread.
      const seenByBob = await getThread(bob, thread.id);
      expect(seenByBob).toEqual({ ...thread, participants: expect.any(Array) });
      expect(byId(seenByBob.participants)).toEqual(byId(thread.participants));
    });

    it('returns the existing direct thread with 200, from either side and when the caller lists itself', async () => {
      const original = (await listThreads(alice)).results.find((thread) => thread.type === 'direct' && thread.participants.some((p) => p.id === bob.id));
      expect(original).toBeDefined();
      const id = (original as ThreadView).id;

      const again = await createThread(alice, { participants: [bob.id] }, 200);
      expect(again.id).toBe(id);
      expect(again.type).toBe('direct');
      expect(byId(again.participants)).toEqual(byId([view(alice), view(bob)]));

      expect((await createThread(bob, { participants: [alice.id] }, 200)).id).toBe(id);
      expect((await createThread(alice, { participants: [alice.id, bob.id] }, 200)).id).toBe(id);
      expect((await createThread(bob, { participants: [bob.id, alice.id], type: 'direct' }, 200)).id).toBe(id);
      expect((await createThread(alice, { participants: [bob.id, bob.id] }, 200)).id).toBe(id);

      const aliceThreads = await listThreads(alice);
      expect(aliceThreads.results.filter((thread) => thread.id === id)).toHaveLength(1);
      expect(aliceThreads.count).toBe(1);
    });

    it('refuses impossible direct threads with 400 and creates nothing', async () => {
      const before = (await listThreads(alice)).count;

      const tooMany = await call('post', '/api/v1/threads/', alice, { participants: [bob.id, carol.id], type: 'direct' }).expect(400);
      expectError(tooMany.body, 400, 'Bad Request');

      const unknown = await call('post', '/api/v1/threads/', alice, { participants: [MISSING_ID] }).expect(400);
      expectError(unknown.body, 400, 'Bad Request');

      const unknownInGroup = await call('post', '/api/v1/threads/', alice, { participants: [bob.id, MISSING_ID], title: 'Ghosts' }).expect(400);
      expectError(unknownInGroup.body, 400, 'Bad Request');

      const onlyMe = await call('post', '/api/v1/threads/', alice, { participants: [alice.id] }).expect(400);
      expectError(onlyMe.body, 400, 'Bad Request');

      const onlyMeDirect = await call('post', '/api/v1/threads/', alice, { participants: [alice.id], type: 'direct' }).expect(400);
      expectError(onlyMeDirect.body, 400, 'Bad Request');

      const titled = await call('post', '/api/v1/threads/', alice, { participants: [carol.id], title: 'Just us' }).expect(400);
      expectError(titled.body, 400, 'Bad Request');

      const titledExplicit = await call('post', '/api/v1/threads/', alice, { participants: [carol.id], type: 'direct', title: 'Just us' }).expect(400);
      expectError(titledExplicit.body, 400, 'Bad Request');

      expect((await listThreads(alice)).count).toBe(before);
      expect((await listThreads(carol)).count).toBe(0);
    });

    it('yields exactly one thread when 20 requests create the same pair concurrently from both sides', async () => {
      const p1 = await person('racer1');
      const p2 = await person('racer2');
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? call('post', '/api/v1/threads/', p1, { participants: [p2.id] }) : call('post', '/api/v1/threads/', p2, { participants: [p1.id] }),
        ),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
      const ids = new Set(responses.map((res) => (res.body as ThreadView).id));
      expect(ids.size).toBe(1);
      for (const res of responses) {
        const thread = res.body as ThreadView;
        expect(thread.type).toBe('direct');
        expect(byId(thread.participants)).toEqual(byId([view(p1), view(p2)]));
      }
      expect((await listThreads(p1)).count).toBe(1);
      expect((await listThreads(p2)).count).toBe(1);
    });
  });

  describe('group threads and the thread list', () => {
    it('refuses a blank title (null or none makes an untitled group), and creates nothing', async () => {
      const before = (await listThreads(alice)).count;
      const blank = await call('post', '/api/v1/threads/', alice, { participants: [bob.id, carol.id], title: '   ' }).expect(400);
      expectError(blank.body, 400, 'Bad Request');
      expect(blank.body.code).toBe('blank_title');
      expect((await listThreads(alice)).count).toBe(before);
    });

    it('creates an untitled group from {"participants": [caller, b, c]}: 201, title null, everywhere', async () => {
      const group = await createThread(alice, { participants: [alice.id, bob.id, carol.id] }, 201);
      expect(group).toMatchObject({ type: 'group', title: null, createdBy: alice.id, ownerId: alice.id });
      expect(byId(group.participants)).toEqual(byId([view(alice), view(bob), view(carol)]));
      expect((await getThread(bob, group.id)).title).toBeNull();
      const listed = (await listThreads(carol)).results.find((thread) => thread.id === group.id);
      expect(listed).toMatchObject({ type: 'group', title: null });
      // null says "untitled" as plainly as leaving the title out; an explicit group of two may be untitled too.
      expect(await createThread(alice, { participants: [bob.id, carol.id], title: null }, 201)).toMatchObject({ type: 'group', title: null });
      expect(await createThread(alice, { participants: [bob.id], type: 'group' }, 201)).toMatchObject({ type: 'group', title: null });
    });

    it('creates a group with a title: 201, type group, owned by its creator', async () => {
      const group = await createThread(alice, { participants: [bob.id, carol.id], title: 'Book club' }, 201);
      expect(group).toEqual({
        id: expect.any(Number),
        type: 'group',
        title: 'Book club',
        participants: expect.any(Array),
        createdBy: alice.id,
        ownerId: alice.id,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        lastMessage: null,
        unreadCount: 0,
      });
      expect(byId(group.participants)).toEqual(byId([view(alice), view(bob), view(carol)]));
      const seenByCarol = await getThread(carol, group.id);
      expect(seenByCarol.ownerId).toBe(alice.id);
      expect(seenByCarol.title).toBe('Book club');

      // A second group with the same people is a new thread (only direct threads are unique per pair).
      const second = await createThread(alice, { participants: [bob.id, carol.id], title: 'Book club' }, 201);
      expect(second.id).not.toBe(group.id);
    });

    it("lists the caller's threads most recently active first, with lastMessage and unreadCount", async () => {
      const owner = await person('lister', { displayName: 'Liz Lister' });
      const g1 = await person('lmember1');
      const g2 = await person('lmember2');
      const a = await createThread(owner, { participants: [g1.id] }, 201);
      const b = await createThread(owner, { participants: [g1.id, g2.id], title: 'Trio' }, 201);
      const c = await createThread(owner, { participants: [g2.id] }, 201);

      const initial = await listThreads(owner);
      expect(initial.count).toBe(3);
      expect(initial.next).toBeNull();
      expect(initial.previous).toBeNull();
      expect(initial.results.map((thread) => thread.id)).toEqual([c.id, b.id, a.id]);
      for (const thread of initial.results) {
        expect(thread.lastMessage).toBeNull();
        expect(thread.unreadCount).toBe(0);
      }

      // A message bumps its thread to the top.
      const message = await send(g1, a.id, '  hello from the oldest thread  ');
      const afterMessage = await listThreads(owner);
      expect(afterMessage.results.map((thread) => thread.id)).toEqual([a.id, c.id, b.id]);
      const top = afterMessage.results[0];
      expect(top.unreadCount).toBe(1);
      expect(top.lastMessage).toEqual({
        id: message.id,
        threadId: a.id,
        seq: 1,
        sender: view(g1),
        text: 'hello from the oldest thread',
        createdAt: expect.stringMatching(ISO_UTC),
        editedAt: null,
        deletedAt: null,
        clientMessageId: null,
        readByMe: false,
        isRead: false,
      });
      expect(Date.parse(top.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.updatedAt));

      // The sender sees its own message as read and nothing unread.
      const senderView = (await listThreads(g1)).results.find((thread) => thread.id === a.id) as ThreadView;
      expect(senderView.unreadCount).toBe(0);
      expect(senderView.lastMessage).toMatchObject({ id: message.id, readByMe: true, isRead: false });

      await send(g2, b.id, 'trio news');
      await send(g1, b.id, 'more trio news');
      const afterGroup = await listThreads(owner);
      expect(afterGroup.results.map((thread) => thread.id)).toEqual([b.id, a.id, c.id]);
      expect(afterGroup.results[0]).toMatchObject({ unreadCount: 2, lastMessage: { text: 'more trio news', seq: 2, sender: view(g1) } });

      // Reading the thread clears its unread count in the list.
      await call('post', `/api/v1/threads/${b.id}/read/`, owner, {}).expect(200);
      expect((await listThreads(owner)).results[0].unreadCount).toBe(0);

      // Paginated like every list.
      const firstPage = await listThreads(owner, '?limit=1');
      expect(firstPage.count).toBe(3);
      expect(firstPage.results.map((thread) => thread.id)).toEqual([b.id]);
      expect(paramsOf(firstPage.next)).toMatchObject({ limit: '1', offset: '1' });
      const secondPage = (await call('get', pathOf(firstPage.next as string), owner).expect(200)).body as Envelope<ThreadView>;
      expect(secondPage.results.map((thread) => thread.id)).toEqual([a.id]);
      expect(paramsOf(secondPage.previous)).toMatchObject({ limit: '1', offset: '0' });

      // Other users' threads never appear.
      const g2Threads = await listThreads(g2);
      expect(g2Threads.results.map((thread) => thread.id).sort()).toEqual([b.id, c.id].sort());
    });
  });

  describe('DELETE /api/v1/threads/{id}/', () => {
    it('lets either participant delete a direct thread: 204, then 404 for both', async () => {
      const d1 = await person('deleter1');
      const d2 = await person('deleter2');
      const thread = await createThread(d1, { participants: [d2.id] }, 201);
      await send(d1, thread.id, 'soon gone');

      // The participant who did not create it may delete it.
      await call('delete', `/api/v1/threads/${thread.id}/`, d2).expect(204);
      for (const user of [d1, d2]) {
        await call('get', `/api/v1/threads/${thread.id}/`, user).expect(404);
        await call('get', `/api/v1/threads/${thread.id}/messages/`, user).expect(404);
        expect((await listThreads(user)).count).toBe(0);
      }
      await call('delete', `/api/v1/threads/${thread.id}/`, d1).expect(404);

      // The pair can start over: a new thread, created with 201; and its creator may delete it too.
      const fresh = await createThread(d2, { participants: [d1.id] }, 201);
      expect(fresh.id).not.toBe(thread.id);
      expect(fresh.lastMessage).toBeNull();
      await call('delete', `/api/v1/threads/${fresh.id}/`, d2).expect(204);
      await call('get', `/api/v1/threads/${fresh.id}/`, d1).expect(404);
    });

    it('lets only the owner delete a group (403 for members), and its messages go with it', async () => {
      const owner = await person('gowner');
      const m1 = await person('gmember1');
      const m2 = await person('gmember2');
      const group = await createThread(owner, { participants: [m1.id, m2.id], title: 'Doomed' }, 201);
      const first = await send(m1, group.id, 'first');
      await send(owner, group.id, 'second');

      const forbidden = await call('delete', `/api/v1/threads/${group.id}/`, m1).expect(403);
      expectError(forbidden.body, 403, 'Forbidden');
      await call('delete', `/api/v1/threads/${group.id}/`, m2).expect(403);
      // Still there, untouched.
      const still = await getThread(m1, group.id);
      expect(still.participants).toHaveLength(3);
      expect((await call('get', `/api/v1/threads/${group.id}/messages/`, m1).expect(200)).body.count).toBe(2);

      await call('delete', `/api/v1/threads/${group.id}/`, owner).expect(204);
      for (const user of [owner, m1, m2]) {
        await call('get', `/api/v1/threads/${group.id}/`, user).expect(404);
        await call('get', `/api/v1/threads/${group.id}/messages/`, user).expect(404);
        await call('get', `/history/${group.id}`, user).expect(404);
        expect((await listThreads(user)).results.map((thread) => thread.id)).not.toContain(group.id);
      }
      await call('post', `/api/v1/messages/${first.id}/read/`, m2).expect(404);
      const rows: { n: number }[] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM messages WHERE thread_id = $1', [group.id]);
      expect(rows[0]?.n).toBe(0);
    });
  });

  describe('participants', () => {
    let owner: Person;
    let member: Person;
    let other: Person;
    let newcomer: Person;
    let bystander: Person;
    let group: ThreadView;
    let direct: ThreadView;

    beforeAll(async () => {
      owner = await person('powner', { displayName: 'Pat Owner' });
      member = await person('pmember');
      other = await person('pother');
      newcomer = await person('pnewcomer');
      bystander = await person('pbystander');
      group = await createThread(owner, { participants: [member.id, other.id], title: 'Crew' }, 201);
      direct = await createThread(owner, { participants: [member.id] }, 201);
    });

    it('lets the owner add a member: 201 with the updated thread, then 200 when already a member', async () => {
      const added = await call('post', `/api/v1/threads/${group.id}/participants/`, owner, { userId: newcomer.id }).expect(201);
      const thread = added.body as ThreadView;
      expect(thread.id).toBe(group.id);
      expect(thread.type).toBe('group');
      expect(thread.ownerId).toBe(owner.id);
      expect(byId(thread.participants)).toEqual(byId([view(owner), view(member), view(other), view(newcomer)]));

      // The newcomer now sees the thread.
      expect((await getThread(newcomer, group.id)).id).toBe(group.id);
      expect((await listThreads(newcomer)).results.map((t2) => t2.id)).toContain(group.id);

      const again = await call('post', `/api/v1/threads/${group.id}/participants/`, owner, { userId: newcomer.id }).expect(200);
      expect((again.body as ThreadView).participants).toHaveLength(4);
      const ownerAgain = await call('post', `/api/v1/threads/${group.id}/participants/`, owner, { userId: member.id }).expect(200);
      expect((ownerAgain.body as ThreadView).participants).toHaveLength(4);
    });

    it('refuses adding by a member (403), on a direct thread (400) and of an unknown user (400)', async () => {
      const byMember = await call('post', `/api/v1/threads/${group.id}/participants/`, member, { userId: bystander.id }).expect(403);
      expectError(byMember.body, 403, 'Forbidden');
      await call('get', `/api/v1/threads/${group.id}/`, bystander).expect(404);

      const onDirect = await call('post', `/api/v1/threads/${direct.id}/participants/`, owner, { userId: bystander.id }).expect(400);
      expectError(onDirect.body, 400, 'Bad Request');
      const onDirectByOther = await call('post', `/api/v1/threads/${direct.id}/participants/`, member, { userId: bystander.id }).expect(400);
      expectError(onDirectByOther.body, 400, 'Bad Request');
      expect((await getThread(owner, direct.id)).participants).toHaveLength(2);
      await call('get', `/api/v1/threads/${direct.id}/`, bystander).expect(404);

      const unknown = await call('post', `/api/v1/threads/${group.id}/participants/`, owner, { userId: MISSING_ID }).expect(400);
      expectError(unknown.body, 400, 'Bad Request');
      expect((await getThread(owner, group.id)).participants).toHaveLength(4);
    });

    it('lets the owner remove anyone (204) but not a member remove another (403)', async () => {
      const forbidden = await call('delete', `/api/v1/threads/${group.id}/participants/${other.id}/`, member).expect(403);
      expectError(forbidden.body, 403, 'Forbidden');
      await call('delete', `/api/v1/threads/${group.id}/participants/${owner.id}/`, member).expect(403);
      expect((await getThread(other, group.id)).participants).toHaveLength(4);

      await call('delete', `/api/v1/threads/${group.id}/participants/${newcomer.id}/`, owner).expect(204);
      await call('get', `/api/v1/threads/${group.id}/`, newcomer).expect(404);
      expect((await listThreads(newcomer)).results.map((thread) => thread.id)).not.toContain(group.id);
      const after = await getThread(owner, group.id);
      expect(byId(after.participants)).toEqual(byId([view(owner), view(member), view(other)]));
    });

    it('answers 404 for removing someone who is not a member', async () => {
      const res = await call('delete', `/api/v1/threads/${group.id}/participants/${bystander.id}/`, owner).expect(404);
      expectError(res.body, 404, 'Not Found');
      await call('delete', `/api/v1/threads/${group.id}/participants/${MISSING_ID}/`, owner).expect(404);
      expect((await getThread(owner, group.id)).participants).toHaveLength(3);
    });

    it('lets a member leave (204), after which the thread is 404 for it', async () => {
      await call('delete', `/api/v1/threads/${group.id}/participants/${other.id}/`, other).expect(204);
      await call('get', `/api/v1/threads/${group.id}/`, other).expect(404);
      await call('get', `/api/v1/threads/${group.id}/messages/`, other).expect(404);
      await call('post', `/api/v1/threads/${group.id}/messages/`, other, { text: 'still here?' }).expect(404);
      expect((await listThreads(other)).results.map((thread) => thread.id)).not.toContain(group.id);
      const after = await getThread(member, group.id);
      expect(byId(after.participants)).toEqual(byId([view(owner), view(member)]));
      expect(after.ownerId).toBe(owner.id);
    });

    it('refuses removing or leaving on a direct thread with 400', async () => {
      const removeOther = await call('delete', `/api/v1/threads/${direct.id}/participants/${member.id}/`, owner).expect(400);
      expectError(removeOther.body, 400, 'Bad Request');
      await call('delete', `/api/v1/threads/${direct.id}/participants/${member.id}/`, member).expect(400);
      await call('delete', `/api/v1/threads/${direct.id}/participants/${owner.id}/`, owner).expect(400);
      expect(byId((await getThread(member, direct.id)).participants)).toEqual(byId([view(owner), view(member)]));
    });

    it('hands the group to the longest-standing member when the owner leaves', async () => {
      // `later` has the lower id but joins after `early`: standing, not id, decides.
      const later = await person('hlater');
      const early = await person('hearly');
      const founder = await person('hfounder');
      expect(later.id).toBeLessThan(early.id);
      const pair = await createThread(founder, { participants: [early.id], type: 'group', title: 'Handover' }, 201);
      expect(pair.ownerId).toBe(founder.id);
      await call('post', `/api/v1/threads/${pair.id}/participants/`, founder, { userId: later.id }).expect(201);

      await call('delete', `/api/v1/threads/${pair.id}/participants/${founder.id}/`, founder).expect(204);
      await call('get', `/api/v1/threads/${pair.id}/`, founder).expect(404);

      const seenByLater = await getThread(later, pair.id);
      expect(seenByLater.ownerId).toBe(early.id);
      expect(byId(seenByLater.participants)).toEqual(byId([view(early), view(later)]));
      expect((await getThread(early, pair.id)).ownerId).toBe(early.id);

      // The new owner has the owner's powers, the remaining member does not.
      await call('post', `/api/v1/threads/${pair.id}/participants/`, early, { userId: founder.id }).expect(201);
      await call('delete', `/api/v1/threads/${pair.id}/participants/${founder.id}/`, later).expect(403);
      await call('delete', `/api/v1/threads/${pair.id}/`, later).expect(403);
      await call('delete', `/api/v1/threads/${pair.id}/participants/${founder.id}/`, early).expect(204);
      await call('delete', `/api/v1/threads/${pair.id}/`, early).expect(204);
    });

    it('lets members send while others are removed, leave and are added back, without refusing anyone', async () => {
      // Removing a member locks rows the senders also lock; in the wrong order, PostgreSQL aborts one of them.
      const host = await person('rhost');
      const senders = [await person('rsender1'), await person('rsender2'), await person('rsender3')];
      const moving = await person('rmoving');
      const leaving = await person('rleaving');
      const room = await createThread(host, { participants: [...senders, moving, leaving].map((p) => p.id), title: 'Busy room' }, 201);
      const rounds = 12;
      for (let round = 0; round < rounds; round += 1) {
        const statuses = await Promise.all([
          ...senders.map(
            async (sender) => (await call('post', `/api/v1/threads/${room.id}/messages/`, sender, { text: `r${round} ${sender.username}` })).status,
          ),
          (async () => {
            const removed = (await call('delete', `/api/v1/threads/${room.id}/participants/${moving.id}/`, host)).status;
            const added = (await call('post', `/api/v1/threads/${room.id}/participants/`, host, { userId: moving.id })).status;
            return removed * 1000 + added;
          })(),
          (async () => {
            const left = (await call('delete', `/api/v1/threads/${room.id}/participants/${leaving.id}/`, leaving)).status;
            const back = (await call('post', `/api/v1/threads/${room.id}/participants/`, host, { userId: leaving.id })).status;
            return left * 1000 + back;
          })(),
        ]);
        expect(statuses).toEqual([201, 201, 201, 204201, 204201]);
      }
      const history = (await call('get', `/api/v1/threads/${room.id}/messages/?limit=200`, host).expect(200)).body as Envelope<MessageView>;
      expect(history.count).toBe(rounds * senders.length);
      expect(history.results.map((message) => message.seq)).toEqual(Array.from({ length: rounds * senders.length }, (_, i) => i + 1));
      const members = (await getThread(host, room.id)).participants.map((p) => p.id).sort((a, b) => a - b);
      expect(members).toEqual([host, ...senders, moving, leaving].map((p) => p.id).sort((a, b) => a - b));
    });
  });

  describe('threads the caller is not in', () => {
    it('answer every thread route with 404, exactly as a thread that does not exist', async () => {
      const insider = await person('insider1');
      const insider2 = await person('insider2');
      const outsider = await person('outsider');
      const staff = await person('staffer', { isStaff: true });
      const thread = await createThread(insider, { participants: [insider2.id, outsider.id], title: 'Private' }, 201);
      // The outsider leaves, so it was a member once and is no more.
      await call('delete', `/api/v1/threads/${thread.id}/participants/${outsider.id}/`, outsider).expect(204);
      const message = await send(insider, thread.id, 'for insiders only');
      const beforeView = await getThread(insider, thread.id);

      const threadRoutes = (id: number, caller: Person): [Method, string, object | undefined][] => [
        ['get', `/api/v1/threads/${id}/`, undefined],
        ['delete', `/api/v1/threads/${id}/`, undefined],
        ['get', `/api/v1/threads/${id}/messages/`, undefined],
        ['post', `/api/v1/threads/${id}/messages/`, { text: 'let me in' }],
        ['post', `/api/v1/threads/${id}/messages/`, { text: 'let me in', clientMessageId: 'f5b3c1a2-0000-4000-8000-000000000001' }],
        ['get', `/history/${id}`, undefined],
        ['get', `/history/${id}?limit=10&offset=0`, undefined],
        ['post', `/api/v1/threads/${id}/participants/`, { userId: caller.id }],
        ['post', `/api/v1/threads/${id}/participants/`, { userId: insider2.id }],
        ['delete', `/api/v1/threads/${id}/participants/${insider2.id}/`, undefined],
        ['delete', `/api/v1/threads/${id}/participants/${caller.id}/`, undefined],
        ['post', `/api/v1/threads/${id}/read/`, {}],
        ['post', `/api/v1/threads/${id}/read/`, { messageId: message.id }],
        ['get', `/api/v1/threads/${id}/messages/unread_count/`, undefined],
      ];
      const messageRoutes = (id: number): [Method, string, object | undefined][] => [
        ['post', `/api/v1/messages/${id}/read/`, undefined],
        ['post', `/api/v1/messages/${id}/unread/`, undefined],
      ];

      for (const caller of [outsider, staff]) {
        const real = [...threadRoutes(thread.id, caller), ...messageRoutes(message.id)];
        const missing = [...threadRoutes(MISSING_ID, caller), ...messageRoutes(MISSING_ID)];
        for (const [index, [method, path, body]] of real.entries()) {
          const [missingMethod, missingPath, missingBody] = missing[index];
          const existing = await call(method, path, caller, body);
          const absent = await call(missingMethod, missingPath, caller, missingBody);
          expect({ route: `${method.toUpperCase()} ${path}`, status: existing.status }).toEqual({ route: `${method.toUpperCase()} ${path}`, status: 404 });
          expect({ route: `${missingMethod.toUpperCase()} ${missingPath}`, status: absent.status }).toEqual({
            route: `${missingMethod.toUpperCase()} ${missingPath}`,
            status: 404,
          });
          expect({ route: `${method.toUpperCase()} ${path}`, body: existing.body }).toEqual({ route: `${method.toUpperCase()} ${path}`, body: absent.body });
          expectError(existing.body, 404, 'Not Found');
        }
        expect((await listThreads(caller)).results.map((t2) => t2.id)).not.toContain(thread.id);
      }

      // Nothing the outsiders tried had any effect.
      const afterView = await getThread(insider, thread.id);
      expect(afterView).toEqual(beforeView);
      expect(byId(afterView.participants)).toEqual(byId([view(insider), view(insider2)]));
      const messages = (await call('get', `/api/v1/threads/${thread.id}/messages/`, insider2).expect(200)).body as Envelope<MessageView>;
      expect(messages.results.map((m) => m.text)).toEqual(['for insiders only']);
      expect(
        ((await call('get', `/api/v1/threads/${thread.id}/messages/unread_count/`, insider2).expect(200)).body as { unreadCount: number }).unreadCount,
      ).toBe(1);
    });
  });

  describe('trailing slashes', () => {
    it('are optional on every route', async () => {
      const ts1 = await person('slash1');
      const ts2 = await person('slash2');
      const ts3 = await person('slash3');

      for (const path of ['/api/v1/users', '/api/v1/users/', '/api/v1/users/me', '/api/v1/users/me/', '/api/v1/threads', '/api/v1/threads/']) {
        await call('get', path, ts1).expect(200);
      }

      const created = (await call('post', '/api/v1/threads', ts1, { participants: [ts2.id] }).expect(201)).body as ThreadView;
      expect((await call('post', '/api/v1/threads/', ts2, { participants: [ts1.id] }).expect(200)).body.id).toBe(created.id);
      const id = created.id;

      expect((await call('get', `/api/v1/threads/${id}`, ts1).expect(200)).body).toEqual((await call('get', `/api/v1/threads/${id}/`, ts1).expect(200)).body);

      const m1 = (await call('post', `/api/v1/threads/${id}/messages`, ts1, { text: 'no slash' }).expect(201)).body as MessageView;
      const m2 = (await call('post', `/api/v1/threads/${id}/messages/`, ts1, { text: 'slash' }).expect(201)).body as MessageView;
      expect([m1.seq, m2.seq]).toEqual([1, 2]);

      for (const path of [`/api/v1/threads/${id}/messages`, `/api/v1/threads/${id}/messages/`, `/history/${id}`, `/history/${id}/`]) {
        const page = (await call('get', path, ts2).expect(200)).body as Envelope<MessageView>;
        expect(page.results.map((m) => m.id)).toEqual([m1.id, m2.id]);
      }
      for (const path of [`/api/v1/threads/${id}/messages/unread_count`, `/api/v1/threads/${id}/messages/unread_count/`]) {
        expect((await call('get', path, ts2).expect(200)).body).toEqual({ threadId: id, unreadCount: 2 });
      }
      expect((await call('post', `/api/v1/messages/${m1.id}/read`, ts2).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 1, unreadCount: 1 });
      expect((await call('post', `/api/v1/messages/${m2.id}/read/`, ts2).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 2, unreadCount: 0 });
      expect((await call('post', `/api/v1/messages/${m2.id}/unread`, ts2).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 1, unreadCount: 1 });
      expect((await call('post', `/api/v1/messages/${m1.id}/unread/`, ts2).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 0, unreadCount: 2 });
      expect((await call('post', `/api/v1/threads/${id}/read`, ts2, {}).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 2, unreadCount: 0 });
      expect((await call('post', `/api/v1/threads/${id}/read/`, ts2, {}).expect(200)).body).toMatchObject({ threadId: id, lastReadSeq: 2, unreadCount: 0 });

      const group = await createThread(ts1, { participants: [ts2.id], type: 'group', title: 'Slashes' }, 201);
      await call('post', `/api/v1/threads/${group.id}/participants`, ts1, { userId: ts3.id }).expect(201);
      await call('post', `/api/v1/threads/${group.id}/participants/`, ts1, { userId: ts3.id }).expect(200);
      await call('delete', `/api/v1/threads/${group.id}/participants/${ts3.id}`, ts1).expect(204);
      await call('post', `/api/v1/threads/${group.id}/participants/`, ts1, { userId: ts3.id }).expect(201);
      await call('delete', `/api/v1/threads/${group.id}/participants/${ts3.id}/`, ts1).expect(204);

      await call('delete', `/api/v1/threads/${group.id}`, ts1).expect(204);
      await call('get', `/api/v1/threads/${group.id}`, ts1).expect(404);
      await call('delete', `/api/v1/threads/${id}/`, ts2).expect(204);
      await call('get', `/api/v1/threads/${id}`, ts1).expect(404);
    });
  });
});
