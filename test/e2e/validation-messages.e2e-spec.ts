import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { multipart, urlencoded, URLENCODED, type FormPairs } from '../support/forms.js';
import { discoverHttpRoutes, openApiPath } from '../support/route-table.js';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * What a refused body says, field by field, for every route that takes one: `{}` names each required field as
 * required, a wrong type names the type (and what was sent), and a form body gets the very messages JSON gets.
 * The table is checked against the app's routes, so a new body route fails here until its messages are listed.
 */

interface Ctx {
  group: number;
  direct: number;
  /** A message alice sent in the direct thread. */
  message: number;
}

interface BodyRoute {
  /** METHOD /path as the router has it. */
  key: string;
  path: (c: Ctx) => string;
  anonymous?: boolean;
  /** What `{}` answers: the messages, or a status when `{}` is acceptable. */
  empty: string[] | { status: number };
  /** A form body (sent urlencoded and multipart alike) and the messages it gets. */
  form: { fields: FormPairs; messages: string[] };
  /** JSON bodies of wrong types and what each gets. */
  wrongTypes: { body: Record<string, unknown>; messages: string[] }[];
}

const ROUTES: BodyRoute[] = [
  {
    key: 'POST /api/token',
    path: () => '/api/token/',
    anonymous: true,
    empty: ['username is required', 'password is required'],
    form: {
      fields: [
        ['username', ''],
        ['password', 'x'.repeat(1025)],
      ],
      messages: ['username must not be empty', 'password must be at most 1024 characters'],
    },
    wrongTypes: [
      { body: { username: 5, password: ['a'] }, messages: ['username must be a string, not 5', 'password must be a string, not a list'] },
      { body: { username: null, password: { $ne: null } }, messages: ['username is required', 'password must be a string, not an object'] },
    ],
  },
  {
    key: 'POST /api/token/refresh',
    path: () => '/api/token/refresh/',
    anonymous: true,
    empty: ['refresh is required'],
    form: {
      fields: [
        ['refresh', 'a'],
        ['refresh', 'b'],
      ],
      messages: ['refresh must be a string, not a list'],
    },
    wrongTypes: [{ body: { refresh: 12345 }, messages: ['refresh must be a string, not 12345'] }],
  },
  {
    key: 'POST /api/session',
    path: () => '/api/session/',
    anonymous: true,
    empty: ['username is required', 'password is required'],
    form: { fields: [['password', '']], messages: ['username is required', 'password must not be empty'] },
    wrongTypes: [{ body: { username: true, password: 1.5 }, messages: ['username must be a string, not true', 'password must be a string, not 1.5'] }],
  },
  {
    key: 'POST /api/v1/threads',
    path: () => '/api/v1/threads/',
    empty: ['participants is required'],
    form: {
      fields: [
        ['participants', '2'],
        ['participants', '3x'],
        ['type', 'channel'],
        ['title', ''],
      ],
      messages: ['participants must contain positive integer user ids', 'type must be "direct" or "group"', 'title must not be empty'],
    },
    wrongTypes: [
      { body: { participants: '5' }, messages: ['participants must be a list of user ids, not "5"'] },
      { body: { participants: [], title: 7 }, messages: ['participants must name at least one user', 'title must be a string or null, not 7'] },
      { body: { participants: ['2'] }, messages: ['participants must contain positive integer user ids'] },
    ],
  },
  {
    key: 'POST /api/v1/threads/:id/participants',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    empty: ['userId is required'],
    form: { fields: [['userId', '3x']], messages: ['userId must be an integer, not "3x"'] },
    wrongTypes: [
      { body: { userId: '5' }, messages: ['userId must be an integer, not "5"'] },
      { body: { userId: 0 }, messages: ['userId must be a positive integer'] },
      { body: { userId: 2 ** 31 }, messages: ['userId must be at most 2147483647'] },
    ],
  },
  {
    key: 'POST /api/v1/threads/:id/messages',
    path: (c) => `/api/v1/threads/${c.direct}/messages/`,
    empty: ['text is required'],
    form: {
      fields: [
        ['text', '   '],
        ['clientMessageId', ''],
      ],
      messages: ['text must not be empty', 'clientMessageId must be 1 to 64 characters'],
    },
    wrongTypes: [
      { body: { text: 42 }, messages: ['text must be a string, not 42'] },
      { body: { text: 'hi', clientMessageId: { id: 'x' } }, messages: ['clientMessageId must be a string, not an object'] },
    ],
  },
  {
    key: 'PATCH /api/v1/messages/:id',
    path: (c) => `/api/v1/messages/${c.message}/`,
    empty: ['text is required'],
    form: { fields: [['text', '   ']], messages: ['text must not be empty'] },
    wrongTypes: [
      { body: { text: 42 }, messages: ['text must be a string, not 42'] },
      { body: { text: ['hi'] }, messages: ['text must be a string, not a list'] },
    ],
  },
  {
    key: 'POST /api/v1/threads/:id/read',
    path: (c) => `/api/v1/threads/${c.direct}/read/`,
    empty: { status: 200 },
    form: { fields: [['messageId', '1.5']], messages: ['messageId must be an integer, not 1.5'] },
    wrongTypes: [{ body: { messageId: 'last' }, messages: ['messageId must be an integer, not "last"'] }],
  },
];

describe('validation messages', () => {
  let t: TestApp;
  let alice: TestUser;
  let c: Ctx;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('vm_alice');
    const bob = await t.createUser('vm_bob');
    const carol = await t.createUser('vm_carol');
    const direct = await t.createThread(alice, [bob]);
    const sent = await t.http().post(`/api/v1/threads/${direct}/messages/`).set('Authorization', alice.auth).send({ text: 'to be edited' }).expect(201);
    c = { direct, group: await t.createThread(alice, [bob, carol], 'Group'), message: (sent.body as { id: number }).id };
  });
  afterAll(() => t?.close());

  const post = (route: BodyRoute) => {
    const req = route.key.startsWith('PATCH ') ? t.http().patch(route.path(c)) : t.http().post(route.path(c));
    return route.anonymous ? req : req.set('Authorization', alice.auth);
  };
  const expectRefusal = (res: { status: number; body: unknown }, messages: string[]): void => {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: messages, code: 'validation_failed' },
    });
  };

  it('lists every route of the app that takes a body', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const withBody = discoverHttpRoutes(t.app)
      .routes.filter((route) => document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]?.requestBody !== undefined)
      .map((route) => route.key);
    expect(withBody.sort()).toEqual(ROUTES.map((route) => route.key).sort());
  });

  describe.each(ROUTES)('$key', (route) => {
    it('answers {} by naming each required field as required', async () => {
      const res = await post(route).send({});
      if (Array.isArray(route.empty)) expectRefusal(res, route.empty);
      else expect(res.status).toBe(route.empty.status);
    });

    it('answers no body at all as it answers {}', async () => {
      const res = await post(route);
      if (Array.isArray(route.empty)) expectRefusal(res, route.empty);
      else expect(res.status).toBe(route.empty.status);
    });

    it('answers a wrong type by naming the type', async () => {
      for (const { body, messages } of route.wrongTypes) expectRefusal(await post(route).send(body), messages);
    });

    it('answers a urlencoded and a multipart form body with the same messages', async () => {
      expectRefusal(await post(route).set('Content-Type', URLENCODED).send(urlencoded(route.form.fields)), route.form.messages);
      const form = multipart(route.form.fields);
      expectRefusal(
        await post(route)
          .set('Content-Type', form.contentType)
          .serialize((body: unknown) => body as string)
          .send(form.body),
        route.form.messages,
      );
    });
  });

  describe('socket events (the same rules)', () => {
    let live: LiveClient;
    beforeAll(async () => {
      live = await connectLive(t.baseUrl, alice.token);
    });
    afterAll(() => {
      live?.socket.disconnect();
    });

    it.each([
      // The event's own fields come before those it shares with every thread event.
      ['message:send', {}, 'text is required; clientMessageId is required; threadId is required'],
      ['message:send', { threadId: '1', text: 5, clientMessageId: 'x' }, 'text must be a string, not 5; threadId must be an integer, not "1"'],
      ['message:read', {}, 'messageId is required; threadId is required'],
      ['message:unread', { threadId: 1, messageId: -1 }, 'messageId must be a positive integer'],
      ['thread:read', {}, 'threadId is required'],
      ['typing', { threadId: 1 }, 'isTyping is required'],
      ['typing', { threadId: 1, isTyping: 'yes' }, 'isTyping must be true or false, not "yes"'],
    ])('%s %j → %s', async (event, payload, message) => {
      expect(await live.request(event, payload)).toEqual({ ok: false, error: { code: 'bad_request', message, reason: 'validation_failed' } });
    });
  });
});
