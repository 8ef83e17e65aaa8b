import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sessionCookie, sessionTokenHash, socketOutcome, webSession, withoutRequestId } from '../support/access.js';
import { decodePayload, signHs256, unsigned, withAlteredSignature, withPayload } from '../support/jwt.js';
import { recordReliability, type ReliabilityRow } from '../support/reliability-report.js';
import { discoverHttpRoutes, discoverSocketEvents } from '../support/route-table.js';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * The access-control matrix: every route of the running application and every Socket.IO event, for every kind of
 * caller, with the status the contract gives. The route list is read from the app itself (Express router, gateway
 * metadata): a route or event that appears without a row here fails the coverage test, as does a row for a route
 * that no longer exists. Each cell sends a real, valid request, so a 2xx means access was granted and a 4xx is
 * access being refused, not validation.
 *
 * The cast: a group owned by `owner` with `participant` and `peer`, from which `removed` was removed; a direct
 * thread between `participant` and `peer`; `outsider` in neither; `staff` (isStaff) in neither. `expired` and
 * `tampered` carry the participant's identity: an access JWT signed with the server's secret but past its expiry,
 * and the participant's real token with its payload changed to the owner's (signature kept). Each API cell runs
 * twice: with a Bearer token, and with the web inbox's session cookie (expired: a session past its expiry;
 * tampered: a session token with one character changed).
 */

const ROLES = ['anonymous', 'expired', 'tampered', 'outsider', 'participant', 'removed', 'owner', 'staff'] as const;
type Role = (typeof ROLES)[number];
type UserRole = Exclude<Role, 'anonymous' | 'expired' | 'tampered'>;
const USER_ROLES: UserRole[] = ['outsider', 'participant', 'removed', 'owner', 'staff'];
type Transport = 'bearer' | 'cookie';

/** What a cell addresses. Fresh cells get their own group or direct thread, because they may delete or change it. */
interface Fixture {
  group: number;
  groupMessage: number;
  /** A message the participant sent in the group (the one it may edit and delete). */
  ownGroupMessage: number;
  direct: number;
  directMessage: number;
}

interface Cell {
  f: Fixture;
  /** The acting user's id (the participant's for anonymous, expired and tampered callers). */
  actorId: number;
}

interface MatrixCase {
  label: string;
  path: (c: Cell) => string;
  body?: (c: Cell) => object | Promise<object>;
  fresh?: 'group' | 'direct';
  /** The id in the path is a thread's (or a message's): refusals must not tell whether it exists. */
  addresses?: 'thread' | 'message';
  expected: Record<Role, number>;
}

/** public: open to everyone (credentials ignored); api: Bearer or session cookie; page: web pages (cookie); admin: AdminJS. */
type RouteKind = 'public' | 'api' | 'page' | 'admin';

interface RouteEntry {
  kind: RouteKind;
  cases: MatrixCase[];
}

const MAX_ID = 2_147_483_647;

const everyone = (status: number): Record<Role, number> => Object.fromEntries(ROLES.map((role) => [role, status])) as Record<Role, number>;
const signedIn = (status: number): Record<Role, number> => ({ ...everyone(status), anonymous: 401, expired: 401, tampered: 401 });
/** A thread route: members get `participant`/`owner`, every other user the same 404 as for a thread that does not exist. */
const members = (participant: number, owner: number, extra: Partial<Record<Role, number>> = {}): Record<Role, number> => ({
  ...signedIn(404),
  participant,
  owner,
  ...extra,
});
/** A web page: the sign-in redirect without a live session, the page with one. */
const page = (): Record<Role, number> => ({ ...everyone(200), anonymous: 302, expired: 302, tampered: 302 });

const GROUP = (c: Cell): number => c.f.group;
const DIRECT = (c: Cell): number => c.f.direct;

/** Both kinds of thread for a thread-addressed route: the owner is in the group, not in the direct thread. */
function threadCases(path: (thread: number) => string, status: number, body?: (c: Cell, thread: number) => object): MatrixCase[] {
  return [
    { label: 'group', path: (c) => path(GROUP(c)), body: body && ((c) => body(c, GROUP(c))), addresses: 'thread', expected: members(status, status) },
    { label: 'direct', path: (c) => path(DIRECT(c)), body: body && ((c) => body(c, DIRECT(c))), addresses: 'thread', expected: members(status, 404) },
  ];
}

function messageCases(path: (message: number) => string): MatrixCase[] {
  return [
    { label: 'message in group', path: (c) => path(c.f.groupMessage), addresses: 'message', expected: members(200, 200) },
    { label: 'message in direct', path: (c) => path(c.f.directMessage), addresses: 'message', expected: members(200, 404) },
  ];
}

// Filled in beforeAll; the matrix's bodies read the cast from here.
const cast = {} as Record<UserRole | 'peer' | 'target', TestUser>;

const MATRIX: Record<string, RouteEntry> = {
  // ── Public: sign-in, health, docs ──────────────────────────────────────────────────────────────────
  'POST /api/token': {
    kind: 'public',
    cases: [
      { label: 'sign in', path: () => '/api/token/', body: () => ({ username: cast.peer.username, password: cast.peer.password }), expected: everyone(200) },
    ],
  },
  'POST /api/token/refresh': {
    kind: 'public',
    cases: [{ label: 'refresh', path: () => '/api/token/refresh/', body: async () => ({ refresh: await refreshTokenOf(cast.peer) }), expected: everyone(200) }],
  },
  'POST /api/session': {
    kind: 'public',
    cases: [
      { label: 'start', path: () => '/api/session/', body: () => ({ username: cast.peer.username, password: cast.peer.password }), expected: everyone(200) },
    ],
  },
  'DELETE /api/session': { kind: 'public', cases: [{ label: 'end', path: () => '/api/session/', expected: everyone(204) }] },
  'GET /health/live': { kind: 'public', cases: [{ label: 'live', path: () => '/health/live', expected: everyone(200) }] },
  'GET /health/ready': { kind: 'public', cases: [{ label: 'ready', path: () => '/health/ready', expected: everyone(200) }] },
  'GET /docs': { kind: 'public', cases: [{ label: 'Swagger UI', path: () => '/docs', expected: everyone(200) }] },
  'GET /docs/': { kind: 'public', cases: [{ label: 'Swagger UI', path: () => '/docs/', expected: everyone(200) }] },
  'GET /docs/index.html': { kind: 'public', cases: [{ label: 'Swagger UI', path: () => '/docs/index.html', expected: everyone(200) }] },
  'GET /docs/swagger-ui-init.js': { kind: 'public', cases: [{ label: 'init script', path: () => '/docs/swagger-ui-init.js', expected: everyone(200) }] },
  'GET /docs/docs/swagger-ui-init.js': {
    kind: 'public',
    cases: [{ label: 'init script', path: () => '/docs/docs/swagger-ui-init.js', expected: everyone(200) }],
  },
  // @nestjs/swagger registers this path only to refuse it (404 for everyone), so the package's licence file is not served.
  'GET /docs/LICENSE': { kind: 'public', cases: [{ label: 'licence', path: () => '/docs/LICENSE', expected: everyone(404) }] },
  'GET /docs-json': { kind: 'public', cases: [{ label: 'OpenAPI JSON', path: () => '/docs-json', expected: everyone(200) }] },
  'GET /docs-yaml': { kind: 'public', cases: [{ label: 'OpenAPI YAML', path: () => '/docs-yaml', expected: everyone(200) }] },
  'USE /docs': { kind: 'public', cases: [{ label: "Swagger UI's assets", path: () => '/docs/swagger-ui.css', expected: everyone(200) }] },

  // ── Web pages (the inbox signs in with a session cookie) ───────────────────────────────────────────
  'GET /login': { kind: 'page', cases: [{ label: 'sign-in page', path: () => '/login', expected: everyone(200) }] },
  'GET /': { kind: 'page', cases: [{ label: 'inbox', path: () => '/', expected: page() }] },
  'GET /people': { kind: 'page', cases: [{ label: 'people', path: () => '/people', expected: page() }] },
  // The thread page is a shell that loads the thread through the API: the same page for any id, existing or not.
  'GET /threads/:id': {
    kind: 'page',
    cases: [
      { label: 'group', path: (c) => `/threads/${GROUP(c)}`, expected: page() },
      { label: 'direct', path: (c) => `/threads/${DIRECT(c)}`, expected: page() },
      { label: 'no such thread', path: () => `/threads/${MAX_ID}`, expected: page() },
    ],
  },
  'GET /assets/:file': {
    kind: 'page',
    cases: [
      { label: 'stylesheet', path: () => '/assets/app.css', expected: everyone(200) },
      { label: 'icon', path: () => '/assets/favicon.svg', expected: everyone(200) },
    ],
  },
  'GET /favicon.ico': { kind: 'page', cases: [{ label: 'icon', path: () => '/favicon.ico', expected: everyone(200) }] },

  // ── Admin panel ─────────────────────────────────────────────────────────────────────────────────────
  // AdminJS is one Express router mounted at /admin, with its own routes and its own session (sign-in form); the
  // API's tokens and cookies mean nothing to it. Its routes are not listed one by one: the row is the mount, and its
  // cells (test "admin panel") have every user try the panel's sign-in with their real password, then open the
  // panel and two of its API endpoints, with whatever API credentials the role has: staff get in, nobody else does.
  'USE /admin': { kind: 'admin', cases: [{ label: 'panel and its API', path: () => '/admin', expected: { ...everyone(302), staff: 200 } }] },

  // ── The API ─────────────────────────────────────────────────────────────────────────────────────────
  'GET /api/v1/users': { kind: 'api', cases: [{ label: 'list', path: () => '/api/v1/users/', expected: signedIn(200) }] },
  'GET /api/v1/users/me': { kind: 'api', cases: [{ label: 'me', path: () => '/api/v1/users/me/', expected: signedIn(200) }] },
  'GET /api/v1/unread_count': { kind: 'api', cases: [{ label: 'summary', path: () => '/api/v1/unread_count/', expected: signedIn(200) }] },
  'GET /api/v1/threads': { kind: 'api', cases: [{ label: 'list', path: () => '/api/v1/threads/', expected: signedIn(200) }] },
  'POST /api/v1/threads': {
    kind: 'api',
    cases: [
      {
        label: 'new group',
        path: () => '/api/v1/threads/',
        body: () => ({ participants: [cast.target.id, cast.peer.id], title: 'Matrix group' }),
        expected: signedIn(201),
      },
    ],
  },
  'GET /api/v1/threads/:id': { kind: 'api', cases: threadCases((id) => `/api/v1/threads/${id}/`, 200) },
  'DELETE /api/v1/threads/:id': {
    kind: 'api',
    cases: [
      { label: 'group', fresh: 'group', path: (c) => `/api/v1/threads/${GROUP(c)}/`, addresses: 'thread', expected: members(403, 204) },
      { label: 'direct', fresh: 'direct', path: (c) => `/api/v1/threads/${DIRECT(c)}/`, addresses: 'thread', expected: members(204, 404) },
    ],
  },
  'POST /api/v1/threads/:id/participants': {
    kind: 'api',
    cases: [
      {
        label: 'group',
        fresh: 'group',
        path: (c) => `/api/v1/threads/${GROUP(c)}/participants/`,
        body: () => ({ userId: cast.target.id }),
        addresses: 'thread',
        expected: members(403, 201),
      },
      // Never on a direct thread: 400 for its participants, the same 404 as always for everyone else.
      {
        label: 'direct',
        path: (c) => `/api/v1/threads/${DIRECT(c)}/participants/`,
        body: () => ({ userId: cast.target.id }),
        addresses: 'thread',
        expected: members(400, 404),
      },
    ],
  },
  'DELETE /api/v1/threads/:id/participants/:userId': {
    kind: 'api',
    cases: [
      {
        label: 'remove another member (group)',
        fresh: 'group',
        path: (c) => `/api/v1/threads/${GROUP(c)}/participants/${cast.peer.id}/`,
        addresses: 'thread',
        expected: members(403, 204),
      },
      {
        label: 'leave (group)',
        fresh: 'group',
        path: (c) => `/api/v1/threads/${GROUP(c)}/participants/${c.actorId}/`,
        addresses: 'thread',
        expected: members(204, 204),
      },
      {
        label: 'direct',
        path: (c) => `/api/v1/threads/${DIRECT(c)}/participants/${cast.peer.id}/`,
        addresses: 'thread',
        expected: members(400, 404),
      },
    ],
  },
  'GET /api/v1/threads/:id/messages': { kind: 'api', cases: threadCases((id) => `/api/v1/threads/${id}/messages/`, 200) },
  'GET /history/:chatId': { kind: 'api', cases: threadCases((id) => `/history/${id}`, 200) },
  'POST /api/v1/threads/:id/messages': {
    kind: 'api',
    cases: threadCases(
      (id) => `/api/v1/threads/${id}/messages/`,
      201,
      () => ({ text: 'matrix message', clientMessageId: randomUUID() }),
    ),
  },
  // Everyone signed in may search (only their own threads' messages come back); narrowing to a thread is a thread route.
  'GET /api/v1/messages/search': {
    kind: 'api',
    cases: [
      { label: 'all my threads', path: () => '/api/v1/messages/search/?q=hello', expected: signedIn(200) },
      ...threadCases((id) => `/api/v1/messages/search/?q=hello&threadId=${id}`, 200),
    ],
  },
  'POST /api/v1/messages/:id/read': { kind: 'api', cases: messageCases((id) => `/api/v1/messages/${id}/read/`) },
  'POST /api/v1/messages/:id/unread': { kind: 'api', cases: messageCases((id) => `/api/v1/messages/${id}/unread/`) },
  // Only the sender changes a message: other members 403, everyone else the same 404 as for no such message.
  'PATCH /api/v1/messages/:id': {
    kind: 'api',
    cases: [
      {
        label: 'own message (group)',
        path: (c) => `/api/v1/messages/${c.f.ownGroupMessage}/`,
        body: () => ({ text: 'edited in the matrix' }),
        addresses: 'message',
        expected: members(200, 403),
      },
      {
        label: "peer's message (group)",
        path: (c) => `/api/v1/messages/${c.f.groupMessage}/`,
        body: () => ({ text: 'x' }),
        addresses: 'message',
        expected: members(403, 403),
      },
      {
        label: "peer's message (direct)",
        path: (c) => `/api/v1/messages/${c.f.directMessage}/`,
        body: () => ({ text: 'x' }),
        addresses: 'message',
        expected: members(403, 404),
      },
    ],
  },
  'DELETE /api/v1/messages/:id': {
    kind: 'api',
    cases: [
      {
        label: 'own message (group)',
        fresh: 'group',
        path: (c) => `/api/v1/messages/${c.f.ownGroupMessage}/`,
        addresses: 'message',
        expected: members(204, 403),
      },
      { label: "peer's message (group)", path: (c) => `/api/v1/messages/${c.f.groupMessage}/`, addresses: 'message', expected: members(403, 403) },
      { label: "peer's message (direct)", path: (c) => `/api/v1/messages/${c.f.directMessage}/`, addresses: 'message', expected: members(403, 404) },
    ],
  },
  'POST /api/v1/threads/:id/read': {
    kind: 'api',
    cases: threadCases(
      (id) => `/api/v1/threads/${id}/read/`,
      200,
      (c, thread) => ({ messageId: thread === c.f.group ? c.f.groupMessage : c.f.directMessage }),
    ),
  },
  'GET /api/v1/threads/:id/messages/unread_count': { kind: 'api', cases: threadCases((id) => `/api/v1/threads/${id}/messages/unread_count/`, 200) },
};

type SocketOutcome = 'ok' | 'not_found' | 'forbidden' | 'bad_request' | 'unauthorized';

interface SocketCase {
  label: string;
  payload: (f: Fixture) => Record<string, unknown>;
  expected: Record<Role, SocketOutcome>;
}

/** The handshake refuses anonymous, expired and tampered callers; members get `ok`, everyone else `not_found`. */
const socketMembers = (owner: SocketOutcome): Record<Role, SocketOutcome> => ({
  anonymous: 'unauthorized',
  expired: 'unauthorized',
  tampered: 'unauthorized',
  outsider: 'not_found',
  participant: 'ok',
  removed: 'not_found',
  owner,
  staff: 'not_found',
});

function socketThreadCases(payload: (thread: number, message: number) => Record<string, unknown>): SocketCase[] {
  return [
    { label: 'group', payload: (f) => payload(f.group, f.groupMessage), expected: socketMembers('ok') },
    { label: 'direct', payload: (f) => payload(f.direct, f.directMessage), expected: socketMembers('not_found') },
  ];
}

const SOCKET_MATRIX: Record<string, SocketCase[]> = {
  'message:send': socketThreadCases((threadId) => ({ threadId, text: 'matrix over the socket', clientMessageId: randomUUID() })),
  // Only the sender: other members `forbidden`, everyone else `not_found`. Edit runs first: delete leaves a tombstone.
  'message:edit': [
    { label: 'own message (group)', payload: (f) => ({ messageId: f.ownGroupMessage, text: 'edited over the socket' }), expected: socketMembers('forbidden') },
    {
      label: "peer's message (group)",
      payload: (f) => ({ messageId: f.groupMessage, text: 'x' }),
      expected: { ...socketMembers('forbidden'), participant: 'forbidden' },
    },
    {
      label: "peer's message (direct)",
      payload: (f) => ({ messageId: f.directMessage, text: 'x' }),
      expected: { ...socketMembers('not_found'), participant: 'forbidden' },
    },
  ],
  'message:delete': [
    { label: 'own message (group)', payload: (f) => ({ messageId: f.ownGroupMessage }), expected: socketMembers('forbidden') },
    { label: "peer's message (group)", payload: (f) => ({ messageId: f.groupMessage }), expected: { ...socketMembers('forbidden'), participant: 'forbidden' } },
    {
      label: "peer's message (direct)",
      payload: (f) => ({ messageId: f.directMessage }),
      expected: { ...socketMembers('not_found'), participant: 'forbidden' },
    },
  ],
  'message:read': socketThreadCases((threadId, messageId) => ({ threadId, messageId })),
  'message:unread': socketThreadCases((threadId, messageId) => ({ threadId, messageId })),
  'thread:read': socketThreadCases((threadId) => ({ threadId })),
  typing: socketThreadCases((threadId) => ({ threadId, isTyping: true })),
};

let t: TestApp;
const JWT_SECRET = randomBytes(32).toString('hex');

async function refreshTokenOf(user: TestUser): Promise<string> {
  const res = await t.http().post('/api/token/').send({ username: user.username, password: user.password }).expect(200);
  return (res.body as { refresh: string }).refresh;
}

describe('access-control matrix', () => {
  let base: Fixture;
  /** Per role: the Authorization header value and the session token (undefined: none). */
  const bearer = {} as Record<Role, string | undefined>;
  const session = {} as Record<Role, string | undefined>;
  const figures = { httpCells: 0, httpRoutes: 0, httpCases: 0, socketCells: 0, socketEvents: 0, noRevealComparisons: 0, adminCells: 0 };
  const rows: ReliabilityRow[] = [];

  const send = (method: string, path: string, role: Role, transport: Transport, body?: object) => {
    let req = t.http()[method.toLowerCase() as 'get' | 'post' | 'delete'](path);
    if (transport === 'bearer' && bearer[role]) req = req.set('Authorization', bearer[role]);
    if (transport === 'cookie' && session[role]) {
      req = req.set('Cookie', sessionCookie(session[role]));
      // The web inbox's own unsafe requests are same-origin; cross-origin ones are refused (CSRF), a separate matter.
      if (method !== 'GET') req = req.set('Origin', t.baseUrl);
    }
    return body === undefined ? req : req.send(body);
  };

  const post = async <T>(user: TestUser, path: string, body: object, status: number): Promise<T> =>
    (await t.http().post(path).set('Authorization', user.auth).send(body).expect(status)).body as T;

  /** A group owned by `owner` with `participant` and `peer`, from which `removed` was removed, with one message. */
  const newGroup = async (): Promise<{ group: number; groupMessage: number; ownGroupMessage: number }> => {
    const { owner, participant, peer, removed } = cast;
    const group = (await post<{ id: number }>(owner, '/api/v1/threads/', { participants: [participant.id, peer.id, removed.id], title: 'Matrix' }, 201)).id;
    await t.http().delete(`/api/v1/threads/${group}/participants/${removed.id}/`).set('Authorization', owner.auth).expect(204);
    const ownGroupMessage = (await post<{ id: number }>(participant, `/api/v1/threads/${group}/messages/`, { text: "the participant's" }, 201)).id;
    const groupMessage = (await post<{ id: number }>(peer, `/api/v1/threads/${group}/messages/`, { text: 'in the group' }, 201)).id;
    return { group, groupMessage, ownGroupMessage };
  };

  /** The direct thread participant–target (created again after a cell deleted it). */
  const newDirect = async (): Promise<{ direct: number }> => {
    const res = await t
      .http()
      .post('/api/v1/threads/')
      .set('Authorization', cast.participant.auth)
      .send({ participants: [cast.target.id] });
    expect([200, 201]).toContain(res.status);
    return { direct: (res.body as { id: number }).id };
  };

  /**
   * What a cell addresses: a thread of its own when the cell is expected to change it (delete it, change its members),
   * the shared one otherwise. (A refusal that wrongly succeeded would change the shared one: that cell fails anyway.)
   */
  const fixtureFor = async (k: MatrixCase, role: Role): Promise<Fixture> => {
    if (!k.fresh || k.expected[role] >= 300) return base;
    return k.fresh === 'group' ? { ...base, ...(await newGroup()) } : { ...base, ...(await newDirect()) };
  };

  const actorOf = (role: Role): number => (role === 'anonymous' || role === 'expired' || role === 'tampered' ? cast.participant.id : cast[role].id);

  const transportsOf = (kind: RouteKind): Transport[] => (kind === 'api' ? ['bearer', 'cookie'] : kind === 'page' ? ['cookie'] : ['bearer']);

  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET, ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) });
    const names = ['owner', 'participant', 'removed', 'outsider', 'staff', 'peer', 'target'] as const;
    for (const name of names) cast[name] = await t.createUser(`am_${name}`, { isStaff: name === 'staff' });
    base = { ...(await newGroup()), direct: 0, directMessage: 0 };
    base.direct = (await post<{ id: number }>(cast.participant, '/api/v1/threads/', { participants: [cast.peer.id] }, 201)).id;
    base.directMessage = (await post<{ id: number }>(cast.peer, `/api/v1/threads/${base.direct}/messages/`, { text: 'in the direct thread' }, 201)).id;

    const now = Math.floor(Date.now() / 1000);
    const participantClaims = decodePayload(cast.participant.token);
    bearer.anonymous = undefined;
    bearer.expired = `Bearer ${signHs256({ ...participantClaims, iat: now - 3600, exp: now - 60 }, JWT_SECRET)}`;
    bearer.tampered = `Bearer ${withPayload(cast.participant.token, { sub: String(cast.owner.id), username: cast.owner.username, staff: true })}`;
    for (const role of USER_ROLES) bearer[role] = cast[role].auth;

    session.anonymous = undefined;
    for (const role of USER_ROLES) session[role] = await webSession(t, cast[role]);
    // An expired session: a real one of the participant's, moved past its expiry in the database.
    session.expired = await webSession(t, cast.participant);
    await t.app
      .get(DataSource)
      .query(`UPDATE web_sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [sessionTokenHash(session.expired)]);
    const real = session.participant as string;
    session.tampered = `${real.slice(0, 5)}${real[5] === 'A' ? 'B' : 'A'}${real.slice(6)}`;
  });

  afterAll(async () => {
    rows.push(
      {
        check: 'REST routes × roles',
        tried: `${figures.httpRoutes} routes and mounts, ${figures.httpCases} cases, 8 roles, Bearer and cookie`,
        result: `${figures.httpCells} cells as the contract says`,
      },
      { check: 'Admin panel × roles', tried: `${figures.adminCells} roles signing in and opening /admin`, result: 'staff only' },
      { check: 'Socket events × roles', tried: `${figures.socketEvents} events × 8 roles`, result: `${figures.socketCells} cells as the contract says` },
      {
        check: 'Refusals reveal nothing',
        tried: `${figures.noRevealComparisons} refused requests compared with the same for a thread or message that does not exist`,
        result: 'identical status and body',
      },
    );
    recordReliability('access-matrix', rows);
    await t?.close();
  });

  describe('the credentials themselves', () => {
    it('are what their names say: the hand-signed token is accepted until it expires, the real session works', async () => {
      // A token made like the expired one but still valid is accepted: it is refused for its expiry alone.
      const now = Math.floor(Date.now() / 1000);
      const valid = signHs256({ ...decodePayload(cast.participant.token), iat: now, exp: now + 600 }, JWT_SECRET);
      const me = await t.http().get('/api/v1/users/me/').set('Authorization', `Bearer ${valid}`).expect(200);
      expect(me.body).toMatchObject({ id: cast.participant.id });
      await t
        .http()
        .get('/api/v1/users/me/')
        .set('Cookie', sessionCookie(session.participant as string))
        .expect(200);
      // The expired session row exists; it is refused for its expiry.
      const rowsLeft = await t.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM web_sessions WHERE token_hash = $1`, [sessionTokenHash(session.expired as string)]);
      expect(rowsLeft).toEqual([{ n: 1 }]);
    });

    it('refuses every other way of forging an access token with 401 (signature changed, alg "none", another secret, a refresh token)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { ...decodePayload(cast.participant.token), iat: now, exp: now + 600 };
      const forged = [
        withAlteredSignature(cast.participant.token),
        unsigned(withPayload(cast.participant.token, { staff: true })),
        signHs256(claims, randomBytes(32).toString('hex')),
        signHs256({ ...claims, typ: 'refresh' }, JWT_SECRET),
        signHs256({ ...claims, sub: 'not-a-number' }, JWT_SECRET),
        await refreshTokenOf(cast.participant),
      ];
      for (const token of forged) {
        const res = await t.http().get('/api/v1/users/me/').set('Authorization', `Bearer ${token}`);
        expect({ token, status: res.status, code: res.body.code }).toEqual({ token, status: 401, code: 'invalid_token' });
        expect(await socketOutcome(t.baseUrl, { token })).toBe('unauthorized');
      }
    });
  });

  it('covers every route and mounted handler of the running app, and only those', () => {
    const { routes, mounts } = discoverHttpRoutes(t.app);
    const discovered = [...routes.map((r) => r.key), ...mounts.map((m) => m.key)].sort();
    expect(discovered).toEqual(Object.keys(MATRIX).sort());
    // Sanity: the discovery found the API itself, not an empty table that both sides agree on.
    expect(routes.length).toBeGreaterThan(25);
    figures.httpRoutes = discovered.length;
  });

  describe('REST', () => {
    it.each(Object.entries(MATRIX).filter(([, entry]) => entry.kind !== 'admin'))('%s', async (key, entry) => {
      const method = key.split(' ')[0] === 'USE' ? 'GET' : key.split(' ')[0];
      const actual: Record<string, Record<string, number>> = {};
      const expected: Record<string, Record<string, number>> = {};
      for (const k of entry.cases) {
        for (const transport of transportsOf(entry.kind)) {
          const label = `${k.label} [${transport}]`;
          actual[label] = {};
          expected[label] = k.expected;
          for (const role of ROLES) {
            const cell: Cell = { f: await fixtureFor(k, role), actorId: actorOf(role) };
            const res = await send(method, k.path(cell), role, transport, k.body && (await k.body(cell)));
            actual[label][role] = res.status;
            figures.httpCells += 1;
          }
        }
        figures.httpCases += 1;
      }
      expect(actual).toEqual(expected);
    });
  });

  describe('admin panel', () => {
    it('lets staff in, and sends everyone else, whatever API credentials they hold, to the sign-in page', async () => {
      const actual: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        const agent = request.agent(t.baseUrl);
        // Every user tries the panel's own sign-in with their real password (staff succeed, the rest are told no).
        if (role !== 'anonymous' && role !== 'expired' && role !== 'tampered') {
          const user = cast[role];
          const signIn = await agent.post('/admin/login').type('form').send({ email: user.username, password: user.password });
          if (role === 'staff') expect({ status: signIn.status, location: signIn.headers.location }).toEqual({ status: 302, location: '/admin' });
          else expect({ status: signIn.status, cookie: signIn.headers['set-cookie'] }).toEqual({ status: 400, cookie: undefined });
        }
        const outcomes: string[] = [];
        for (const path of ['/admin', '/admin/api/resources/User/actions/list', '/admin/api/resources/Message/actions/list']) {
          let req = agent.get(path);
          if (bearer[role]) req = req.set('Authorization', bearer[role]);
          if (session[role]) req = req.set('Cookie', sessionCookie(session[role]));
          const res = await req;
          outcomes.push(res.status === 302 ? `302 ${res.headers.location}` : String(res.status));
        }
        actual[role] = outcomes.join(', ');
        expected[role] = role === 'staff' ? '200, 200, 200' : '302 /admin/login, 302 /admin/login, 302 /admin/login';
        figures.adminCells += 1;
      }
      expect(actual).toEqual(expected);
    });
  });

  describe('refusals do not reveal whether a thread exists', () => {
    const addressed = Object.entries(MATRIX).flatMap(([key, entry]) => entry.cases.filter((k) => k.addresses).map((k) => [key, k.label, k] as const));

    /** A thread that never existed, and one that existed and was deleted (with its messages). */
    const missing: Fixture[] = [{ group: MAX_ID, groupMessage: MAX_ID, ownGroupMessage: MAX_ID, direct: MAX_ID, directMessage: MAX_ID }];
    beforeAll(async () => {
      const gone = await newGroup();
      await t.http().delete(`/api/v1/threads/${gone.group}/`).set('Authorization', cast.owner.auth).expect(204);
      missing.push({ ...gone, direct: gone.group, directMessage: gone.groupMessage });
    });

    it.each(addressed)('%s (%s): the same answer for a thread one is not in as for one that does not exist', async (key, _label, k) => {
      const method = key.split(' ')[0];
      const answer = async (role: Role, f: Fixture) => {
        const cell: Cell = { f, actorId: actorOf(role) };
        const res = await send(method, k.path(cell), role, 'bearer', k.body && (await k.body(cell)));
        return { status: res.status, body: withoutRequestId(res.body) };
      };
      const refused = await answer('outsider', base);
      expect(refused.status).toBe(404);
      const others = [await answer('removed', base), await answer('staff', base), ...(k.expected.owner === 404 ? [await answer('owner', base)] : [])];
      for (const role of ['outsider', 'participant', 'owner'] as const) {
        for (const f of missing) others.push(await answer(role, f));
      }
      for (const other of others) expect(other).toEqual(refused);
      figures.noRevealComparisons += others.length;
    });
  });

  describe('Socket.IO', () => {
    const live = {} as Record<UserRole, LiveClient>;

    beforeAll(async () => {
      for (const role of USER_ROLES) live[role] = await connectLive(t.baseUrl, cast[role].token);
    });
    afterAll(() => {
      for (const client of Object.values(live)) client.close();
    });

    it('covers every client→server event of the gateways, and only those', () => {
      const events = discoverSocketEvents(t.app).map((e) => e.event);
      expect(events.length).toBeGreaterThan(0);
      expect([...events].sort()).toEqual(Object.keys(SOCKET_MATRIX).sort());
      figures.socketEvents = events.length;
    });

    it('refuses the handshake of anonymous, expired and tampered callers, by token or by cookie', async () => {
      const outcomes: Record<string, string> = {};
      for (const role of ROLES) {
        outcomes[`${role} [token]`] = await socketOutcome(t.baseUrl, { token: bearer[role]?.slice('Bearer '.length) });
        outcomes[`${role} [cookie]`] = await socketOutcome(t.baseUrl, { cookie: session[role] && sessionCookie(session[role]) });
      }
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        const outcome = role === 'anonymous' || role === 'expired' || role === 'tampered' ? 'unauthorized' : 'connected';
        expected[`${role} [token]`] = outcome;
        expected[`${role} [cookie]`] = outcome;
      }
      expect(outcomes).toEqual(expected);
    });

    it.each(Object.entries(SOCKET_MATRIX))('%s', async (event, cases) => {
      const actual: Record<string, Record<string, SocketOutcome>> = {};
      const expected: Record<string, Record<string, SocketOutcome>> = {};
      for (const k of cases) {
        actual[k.label] = {};
        expected[k.label] = k.expected;
        for (const role of ROLES) {
          if (role === 'anonymous' || role === 'expired' || role === 'tampered') {
            // No event can be sent without a connection: the cell is the handshake's answer.
            actual[k.label][role] = (await socketOutcome(t.baseUrl, { token: bearer[role]?.slice('Bearer '.length) })) as SocketOutcome;
          } else {
            const ack = await live[role].request<{ ok: boolean; error?: { code: SocketOutcome } }>(event, k.payload(base));
            actual[k.label][role] = ack.ok ? 'ok' : (ack.error?.code ?? ('missing error' as SocketOutcome));
            expect(live[role].socket.connected).toBe(true);
          }
          figures.socketCells += 1;
        }
      }
      expect(actual).toEqual(expected);
    });

    it.each(Object.entries(SOCKET_MATRIX))('%s: the same refusal for a thread one is not in as for one that does not exist', async (event, cases) => {
      const missing: Fixture = { group: MAX_ID, groupMessage: MAX_ID, ownGroupMessage: MAX_ID, direct: MAX_ID, directMessage: MAX_ID };
      for (const k of cases) {
        const refused = await live.outsider.request(event, k.payload(base));
        expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
        const others = [
          await live.removed.request(event, k.payload(base)),
          await live.staff.request(event, k.payload(base)),
          await live.outsider.request(event, k.payload(missing)),
          await live.participant.request(event, k.payload(missing)),
          await live.owner.request(event, k.payload(missing)),
        ];
        for (const other of others) expect(other).toEqual(refused);
        figures.noRevealComparisons += others.length;
      }
    });
  });
});
