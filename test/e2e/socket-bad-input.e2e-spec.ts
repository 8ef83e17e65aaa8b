import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { LiveSockets, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import type { MessageDto } from '../../libs/messages/src/dto/message.dto.js';

/**
 * Bad input over Socket.IO, end to end against the booted app and a real socket.io-client: every malformed,
 * mistyped, oversized or out-of-bounds payload of every client→server event is refused through its
 * acknowledgement as `{ok: false, error: {code, message}}` (contract, "Socket.IO"), never by dropping the
 * connection or crashing, and the same socket keeps working afterwards.
 */

interface Ctx {
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  dave: TestUser;
  /** Direct thread alice–bob. */
  direct: number;
  /** Group alice (owner), bob, carol. */
  group: number;
  /** Direct thread carol–dave: alice is not in it. */
  foreign: number;
  /** A message of the direct thread. */
  directMessage: number;
  /** A message of the group. */
  groupMessage: number;
  /** A message of the foreign thread. */
  foreignMessage: number;
  /** A message alice sent in the direct thread (hers to edit and delete). */
  ownMessage: number;
}

/** The fields of the contract's message these checks read. */
type Message = Pick<MessageDto, 'id' | 'threadId' | 'seq' | 'text' | 'clientMessageId'> & { sender: Pick<MessageDto['sender'], 'id'> };

interface Ack {
  ok: boolean;
  error?: { code: string; message: unknown };
  message?: Message;
}

/** Sends the event with only the acknowledgement callback: no payload at all. */
const NO_PAYLOAD = Symbol('no payload');

interface BadCase {
  name: string;
  event: 'message:send' | 'message:edit' | 'message:delete' | 'message:read' | 'message:unread' | 'thread:read' | 'typing';
  /** The payload to emit, or NO_PAYLOAD to emit the event with the acknowledgement alone. */
  payload: (c: Ctx) => unknown;
  code: 'bad_request' | 'not_found' | 'forbidden';
}

// Largest id PostgreSQL's integer holds; the first id past it is refused as bad input, not looked up.
const MAX_ID = 2_147_483_647;
const uuid = (): string => randomUUID();
// 4001 code points, 8002 UTF-16 units: the text limit counts code points (PostgreSQL char_length).
const emoji4001 = '😀'.repeat(4001);

const send = (c: Ctx, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  threadId: c.direct,
  text: 'hello',
  clientMessageId: uuid(),
  ...extra,
});
const without = (object: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...object };
  delete copy[key];
  return copy;
};

const edit = (c: Ctx, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messageId: c.ownMessage, text: 'edited', ...extra });

const cases: BadCase[] = [
  // message:edit and message:delete — the rules of PATCH and DELETE /api/v1/messages/{id}/
  { name: 'no payload at all', event: 'message:edit', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'null payload', event: 'message:edit', payload: () => null, code: 'bad_request' },
  { name: 'text missing', event: 'message:edit', payload: (c) => without(edit(c), 'text'), code: 'bad_request' },
  { name: 'text empty', event: 'message:edit', payload: (c) => edit(c, { text: '' }), code: 'bad_request' },
  { name: 'text only whitespace', event: 'message:edit', payload: (c) => edit(c, { text: ' \n\t ' }), code: 'bad_request' },
  { name: 'text of 4001 code points (emoji)', event: 'message:edit', payload: (c) => edit(c, { text: emoji4001 }), code: 'bad_request' },
  { name: 'text with a NUL character', event: 'message:edit', payload: (c) => edit(c, { text: 'nul \u0000 here' }), code: 'bad_request' },
  { name: 'text a number', event: 'message:edit', payload: (c) => edit(c, { text: 7 }), code: 'bad_request' },
  { name: 'unknown extra field', event: 'message:edit', payload: (c) => edit(c, { threadId: c.direct }), code: 'bad_request' },
  { name: 'messageId missing', event: 'message:edit', payload: (c) => without(edit(c), 'messageId'), code: 'bad_request' },
  { name: 'messageId as a numeric string', event: 'message:edit', payload: (c) => edit(c, { messageId: String(c.ownMessage) }), code: 'bad_request' },
  { name: 'messageId zero', event: 'message:edit', payload: (c) => edit(c, { messageId: 0 }), code: 'bad_request' },
  { name: 'messageId past 2^31-1', event: 'message:edit', payload: (c) => edit(c, { messageId: MAX_ID + 1 }), code: 'bad_request' },
  { name: "someone else's message (a participant)", event: 'message:edit', payload: (c) => edit(c, { messageId: c.directMessage }), code: 'forbidden' },
  { name: "a message of someone else's thread", event: 'message:edit', payload: (c) => edit(c, { messageId: c.foreignMessage }), code: 'not_found' },
  { name: 'a message that does not exist', event: 'message:edit', payload: (c) => edit(c, { messageId: MAX_ID }), code: 'not_found' },
  { name: 'no payload at all', event: 'message:delete', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'string payload', event: 'message:delete', payload: (c) => String(c.ownMessage), code: 'bad_request' },
  { name: 'messageId fractional', event: 'message:delete', payload: () => ({ messageId: 1.5 }), code: 'bad_request' },
  { name: 'unknown extra field', event: 'message:delete', payload: (c) => ({ messageId: c.ownMessage, text: 'x' }), code: 'bad_request' },
  { name: "someone else's message (a participant)", event: 'message:delete', payload: (c) => ({ messageId: c.groupMessage }), code: 'forbidden' },
  { name: "a message of someone else's thread", event: 'message:delete', payload: (c) => ({ messageId: c.foreignMessage }), code: 'not_found' },
  // message:send — payload shape
  { name: 'no payload at all', event: 'message:send', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'null payload', event: 'message:send', payload: () => null, code: 'bad_request' },
  { name: 'string payload', event: 'message:send', payload: () => 'hello', code: 'bad_request' },
  { name: 'number payload', event: 'message:send', payload: () => 42, code: 'bad_request' },
  { name: 'boolean payload', event: 'message:send', payload: () => true, code: 'bad_request' },
  { name: 'array payload', event: 'message:send', payload: (c) => [send(c)], code: 'bad_request' },
  { name: 'empty object', event: 'message:send', payload: () => ({}), code: 'bad_request' },
  { name: 'unknown extra field', event: 'message:send', payload: (c) => send(c, { isAdmin: true }), code: 'bad_request' },
  // message:send — threadId
  { name: 'threadId missing', event: 'message:send', payload: (c) => without(send(c), 'threadId'), code: 'bad_request' },
  { name: 'threadId as a numeric string', event: 'message:send', payload: (c) => send(c, { threadId: String(c.direct) }), code: 'bad_request' },
  { name: 'threadId fractional', event: 'message:send', payload: (c) => send(c, { threadId: c.direct + 0.5 }), code: 'bad_request' },
  { name: 'threadId zero', event: 'message:send', payload: (c) => send(c, { threadId: 0 }), code: 'bad_request' },
  { name: 'threadId negative', event: 'message:send', payload: (c) => send(c, { threadId: -c.direct }), code: 'bad_request' },
  { name: 'threadId past 2^31-1', event: 'message:send', payload: (c) => send(c, { threadId: MAX_ID + 1 }), code: 'bad_request' },
  { name: 'threadId 1e20', event: 'message:send', payload: (c) => send(c, { threadId: 1e20 }), code: 'bad_request' },
  { name: 'threadId null', event: 'message:send', payload: (c) => send(c, { threadId: null }), code: 'bad_request' },
  { name: 'threadId an object', event: 'message:send', payload: (c) => send(c, { threadId: { id: c.direct } }), code: 'bad_request' },
  // message:send — text
  { name: 'text missing', event: 'message:send', payload: (c) => without(send(c), 'text'), code: 'bad_request' },
  { name: 'text a number', event: 'message:send', payload: (c) => send(c, { text: 123 }), code: 'bad_request' },
  { name: 'text an array', event: 'message:send', payload: (c) => send(c, { text: ['hello'] }), code: 'bad_request' },
  { name: 'text empty', event: 'message:send', payload: (c) => send(c, { text: '' }), code: 'bad_request' },
  { name: 'text only whitespace', event: 'message:send', payload: (c) => send(c, { text: ' \n\t ' }), code: 'bad_request' },
  { name: 'text of 4001 code points (emoji)', event: 'message:send', payload: (c) => send(c, { text: emoji4001 }), code: 'bad_request' },
  { name: 'text of 4001 ASCII characters', event: 'message:send', payload: (c) => send(c, { text: 'a'.repeat(4001) }), code: 'bad_request' },
  {
    name: 'text of 20 000 characters (under the frame limit)',
    event: 'message:send',
    payload: (c) => send(c, { text: 'x'.repeat(20_000) }),
    code: 'bad_request',
  },
  { name: 'text with a NUL character', event: 'message:send', payload: (c) => send(c, { text: 'nul \u0000 here' }), code: 'bad_request' },
  // message:send — clientMessageId
  { name: 'clientMessageId missing', event: 'message:send', payload: (c) => without(send(c), 'clientMessageId'), code: 'bad_request' },
  { name: 'clientMessageId null', event: 'message:send', payload: (c) => send(c, { clientMessageId: null }), code: 'bad_request' },
  { name: 'clientMessageId empty', event: 'message:send', payload: (c) => send(c, { clientMessageId: '' }), code: 'bad_request' },
  { name: 'clientMessageId of 65 characters', event: 'message:send', payload: (c) => send(c, { clientMessageId: 'c'.repeat(65) }), code: 'bad_request' },
  { name: 'clientMessageId a number', event: 'message:send', payload: (c) => send(c, { clientMessageId: 12345 }), code: 'bad_request' },
  {
    name: 'clientMessageId with a NUL character',
    event: 'message:send',
    payload: (c) => send(c, { clientMessageId: `nul\u0000${uuid().slice(0, 8)}` }),
    code: 'bad_request',
  },
  // message:send — threads the caller may not write to
  { name: 'a thread alice is not in', event: 'message:send', payload: (c) => send(c, { threadId: c.foreign }), code: 'not_found' },
  { name: 'a thread that does not exist', event: 'message:send', payload: (c) => send(c, { threadId: MAX_ID }), code: 'not_found' },

  // message:read
  { name: 'no payload at all', event: 'message:read', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'string payload', event: 'message:read', payload: (c) => String(c.directMessage), code: 'bad_request' },
  { name: 'messageId missing', event: 'message:read', payload: (c) => ({ threadId: c.direct }), code: 'bad_request' },
  { name: 'threadId missing', event: 'message:read', payload: (c) => ({ messageId: c.directMessage }), code: 'bad_request' },
  {
    name: 'messageId as a numeric string',
    event: 'message:read',
    payload: (c) => ({ threadId: c.direct, messageId: String(c.directMessage) }),
    code: 'bad_request',
  },
  { name: 'messageId fractional', event: 'message:read', payload: (c) => ({ threadId: c.direct, messageId: 1.5 }), code: 'bad_request' },
  { name: 'messageId zero', event: 'message:read', payload: (c) => ({ threadId: c.direct, messageId: 0 }), code: 'bad_request' },
  { name: 'messageId past 2^31-1', event: 'message:read', payload: (c) => ({ threadId: c.direct, messageId: MAX_ID + 1 }), code: 'bad_request' },
  { name: 'unknown extra field', event: 'message:read', payload: (c) => ({ threadId: c.direct, messageId: c.directMessage, seq: 1 }), code: 'bad_request' },
  {
    name: 'a message of another thread of alice',
    event: 'message:read',
    payload: (c) => ({ threadId: c.direct, messageId: c.groupMessage }),
    code: 'not_found',
  },
  {
    name: 'a message of a thread alice is not in',
    event: 'message:read',
    payload: (c) => ({ threadId: c.foreign, messageId: c.foreignMessage }),
    code: 'not_found',
  },
  {
    name: "another thread's message under alice's thread id",
    event: 'message:read',
    payload: (c) => ({ threadId: c.direct, messageId: c.foreignMessage }),
    code: 'not_found',
  },
  { name: 'a message that does not exist', event: 'message:read', payload: (c) => ({ threadId: c.direct, messageId: MAX_ID }), code: 'not_found' },

  // message:unread
  { name: 'array payload', event: 'message:unread', payload: (c) => [c.direct, c.directMessage], code: 'bad_request' },
  { name: 'null payload', event: 'message:unread', payload: () => null, code: 'bad_request' },
  { name: 'messageId negative', event: 'message:unread', payload: (c) => ({ threadId: c.direct, messageId: -1 }), code: 'bad_request' },
  { name: 'threadId a boolean', event: 'message:unread', payload: (c) => ({ threadId: true, messageId: c.directMessage }), code: 'bad_request' },
  {
    name: 'unknown extra field',
    event: 'message:unread',
    payload: (c) => ({ threadId: c.direct, messageId: c.directMessage, all: true }),
    code: 'bad_request',
  },
  {
    name: 'a message of another thread of alice',
    event: 'message:unread',
    payload: (c) => ({ threadId: c.group, messageId: c.directMessage }),
    code: 'not_found',
  },
  {
    name: 'a message of a thread alice is not in',
    event: 'message:unread',
    payload: (c) => ({ threadId: c.foreign, messageId: c.foreignMessage }),
    code: 'not_found',
  },

  // thread:read
  { name: 'no payload at all', event: 'thread:read', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'number payload', event: 'thread:read', payload: (c) => c.direct, code: 'bad_request' },
  { name: 'threadId as a numeric string', event: 'thread:read', payload: (c) => ({ threadId: String(c.direct) }), code: 'bad_request' },
  { name: 'threadId zero', event: 'thread:read', payload: () => ({ threadId: 0 }), code: 'bad_request' },
  { name: 'threadId 2^53', event: 'thread:read', payload: () => ({ threadId: 2 ** 53 }), code: 'bad_request' },
  { name: 'unknown extra field', event: 'thread:read', payload: (c) => ({ threadId: c.direct, everything: true }), code: 'bad_request' },
  { name: 'a thread alice is not in', event: 'thread:read', payload: (c) => ({ threadId: c.foreign }), code: 'not_found' },
  { name: 'a thread that does not exist', event: 'thread:read', payload: () => ({ threadId: MAX_ID }), code: 'not_found' },

  // typing
  { name: 'no payload at all', event: 'typing', payload: () => NO_PAYLOAD, code: 'bad_request' },
  { name: 'boolean payload', event: 'typing', payload: () => true, code: 'bad_request' },
  { name: 'isTyping missing', event: 'typing', payload: (c) => ({ threadId: c.direct }), code: 'bad_request' },
  { name: 'isTyping the string "true"', event: 'typing', payload: (c) => ({ threadId: c.direct, isTyping: 'true' }), code: 'bad_request' },
  { name: 'isTyping 1', event: 'typing', payload: (c) => ({ threadId: c.direct, isTyping: 1 }), code: 'bad_request' },
  { name: 'isTyping null', event: 'typing', payload: (c) => ({ threadId: c.direct, isTyping: null }), code: 'bad_request' },
  { name: 'threadId missing', event: 'typing', payload: () => ({ isTyping: true }), code: 'bad_request' },
  { name: 'threadId negative', event: 'typing', payload: () => ({ threadId: -5, isTyping: true }), code: 'bad_request' },
  { name: 'unknown extra field', event: 'typing', payload: (c) => ({ threadId: c.direct, isTyping: true, userId: c.bob.id }), code: 'bad_request' },
  { name: 'a thread alice is not in', event: 'typing', payload: (c) => ({ threadId: c.foreign, isTyping: true }), code: 'not_found' },
  { name: 'a thread that does not exist', event: 'typing', payload: () => ({ threadId: MAX_ID, isTyping: true }), code: 'not_found' },
];

describe('bad input over Socket.IO', () => {
  let t: TestApp;
  let c: Ctx;
  /** Alice's socket that receives every bad payload. */
  let aliceLive: LiveClient;
  /** Bob's socket: the recipient, never sent anything bad. */
  let bobLive: LiveClient;
  /** Carol's socket: another user's connection that must stay unaffected. */
  let carolLive: LiveClient;
  const sockets = new LiveSockets();

  const live = (user: TestUser): Promise<LiveClient> => sockets.connect(t.baseUrl, user.token);
  const post = async <T>(user: TestUser, path: string, body: unknown, status: number): Promise<T> =>
    (
      await t
        .http()
        .post(path)
        .set('Authorization', user.auth)
        .send(body as object)
        .expect(status)
    ).body as T;
  const messageCount = async (user: TestUser, threadId: number): Promise<number> =>
    ((await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).expect(200)).body as { count: number }).count;
  const storedTexts = async (user: TestUser, threadId: number): Promise<string[]> =>
    (
      (await t.http().get(`/api/v1/threads/${threadId}/messages/?limit=200`).set('Authorization', user.auth).expect(200)).body as { results: Message[] }
    ).results.map((m) => (m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text));

  beforeAll(async () => {
    // With REDIS_URL set (the server-database run), the Socket.IO server runs on the Redis adapter too.
    t = await startTestApp(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {});
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => t.createUser(`sbi_${name}`)));
    const direct = (await post<{ id: number }>(alice, '/api/v1/threads/', { participants: [bob.id] }, 201)).id;
    const group = (await post<{ id: number }>(alice, '/api/v1/threads/', { participants: [bob.id, carol.id], type: 'group', title: 'Bad input' }, 201)).id;
    const foreign = (await post<{ id: number }>(carol, '/api/v1/threads/', { participants: [dave.id] }, 201)).id;
    const directMessage = (await post<Message>(bob, `/api/v1/threads/${direct}/messages/`, { text: 'direct' }, 201)).id;
    const groupMessage = (await post<Message>(carol, `/api/v1/threads/${group}/messages/`, { text: 'group' }, 201)).id;
    const foreignMessage = (await post<Message>(dave, `/api/v1/threads/${foreign}/messages/`, { text: 'foreign' }, 201)).id;
    const ownMessage = (await post<Message>(alice, `/api/v1/threads/${direct}/messages/`, { text: "alice's" }, 201)).id;
    c = { alice, bob, carol, dave, direct, group, foreign, directMessage, groupMessage, foreignMessage, ownMessage };
    [aliceLive, bobLive, carolLive] = await Promise.all([live(alice), live(bob), live(carol)]);
  });
  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  it('has a table that covers every client→server event with at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map((k) => k.event))).toEqual(
      new Set(['message:send', 'message:edit', 'message:delete', 'message:read', 'message:unread', 'thread:read', 'typing']),
    );
  });

  it.each(cases.map((k) => [k.event, k.name, k] as const))('%s: %s → error ack', async (_event, _name, k) => {
    const payload = k.payload(c);
    const ack = await (payload === NO_PAYLOAD ? aliceLive.request<Ack>(k.event) : aliceLive.request<Ack>(k.event, payload));
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: k.code, message: expect.any(String) }) });
    expect(Object.keys(ack).sort()).toEqual(['error', 'ok']);
    expect((ack.error?.message as string).trim().length).toBeGreaterThan(0);
    expect(aliceLive.socket.connected).toBe(true);
  });

  it('stored nothing and relayed nothing for any refused payload', async () => {
    // The messages sent over REST in the setup; every refused send, edit and delete must have left them as they were.
    expect(await storedTexts(c.alice, c.direct)).toEqual(['direct', "alice's"]);
    expect(await storedTexts(c.alice, c.group)).toEqual(['group']);
    expect(await storedTexts(c.carol, c.foreign)).toEqual(['foreign']);
    expect(bobLive.all('typing')).toEqual([]);
    expect(bobLive.all('message:new')).toEqual([]);
    expect(carolLive.all('message:new')).toEqual([]);
    expect([...bobLive.all('message:updated'), ...carolLive.all('message:updated')]).toEqual([]);
  });

  it('keeps the same socket working after the table: a valid send acks ok and reaches the recipient', async () => {
    expect(aliceLive.socket.connected).toBe(true);
    const clientMessageId = uuid();
    const ack = await aliceLive.request<Ack>('message:send', { threadId: c.direct, text: '  still here  ', clientMessageId });
    expect(ack).toMatchObject({ ok: true, message: { threadId: c.direct, text: 'still here', clientMessageId, sender: { id: c.alice.id } } });
    const atBob = await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === ack.message?.id);
    expect(atBob.message.text).toBe('still here');
    // The boundary just inside the limits is accepted: 4000 code points of emoji, a 64-character clientMessageId.
    const longest = await aliceLive.request<Ack>('message:send', { threadId: c.direct, text: '😀'.repeat(4000), clientMessageId: 'k'.repeat(64) });
    expect(longest).toMatchObject({ ok: true, message: { text: '😀'.repeat(4000), clientMessageId: 'k'.repeat(64) } });
    // The other events work on this socket too.
    expect(await aliceLive.request('typing', { threadId: c.direct, isTyping: true })).toEqual({ ok: true, relayed: true });
    await bobLive.waitFor('typing', (e) => e.threadId === c.direct && e.userId === c.alice.id && e.isTyping === true);
    expect(await aliceLive.request('message:read', { threadId: c.direct, messageId: c.directMessage })).toMatchObject({ ok: true, threadId: c.direct });
    expect(await aliceLive.request('message:unread', { threadId: c.direct, messageId: c.directMessage })).toMatchObject({ ok: true, threadId: c.direct });
    expect(await aliceLive.request('thread:read', { threadId: c.group })).toMatchObject({ ok: true, threadId: c.group, unreadCount: 0 });
    expect(await aliceLive.request('message:edit', { messageId: c.ownMessage, text: ' edited at last ' })).toMatchObject({
      ok: true,
      message: { id: c.ownMessage, text: 'edited at last', editedAt: expect.any(String), deletedAt: null },
    });
    expect(await aliceLive.request('message:delete', { messageId: c.ownMessage })).toEqual({ ok: true });
    expect(await aliceLive.request('message:delete', { messageId: c.ownMessage })).toEqual({ ok: true });
    expect(await aliceLive.request('message:edit', { messageId: c.ownMessage, text: 'again' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', reason: 'message_deleted' },
    });
  });

  it("left another user's connection unaffected", async () => {
    expect(carolLive.socket.connected).toBe(true);
    const ack = await carolLive.request<Ack>('message:send', { threadId: c.group, text: 'carol is fine', clientMessageId: uuid() });
    expect(ack).toMatchObject({ ok: true, message: { threadId: c.group, sender: { id: c.carol.id } } });
    await aliceLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === ack.message?.id);
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === ack.message?.id);
  });

  it('ignores an event name the server does not know, without breaking the socket', async () => {
    const received = aliceLive.received.length;
    const before = await messageCount(c.alice, c.direct);
    let unknownAck: unknown;
    aliceLive.socket.emit('thread:explode', { threadId: c.direct, messageId: c.directMessage }, (answer: unknown) => {
      unknownAck = answer;
    });
    aliceLive.socket.emit('no-such-event');
    // Packets of one socket are handled in order: by the time this acks, the unknown events were dealt with.
    const ack = await aliceLive.request<Ack>('message:send', { threadId: c.direct, text: 'after unknown events', clientMessageId: uuid() });
    expect(ack).toMatchObject({ ok: true, message: { text: 'after unknown events' } });
    expect(aliceLive.socket.connected).toBe(true);
    // Ignored: no success answer, and no error/exception event pushed at the client.
    if (unknownAck !== undefined) expect(unknownAck).toMatchObject({ ok: false });
    expect(
      aliceLive.received
        .slice(received)
        .map((r) => r.event)
        .filter((e) => e === 'exception' || e === 'error'),
    ).toEqual([]);
    // Only the valid send was stored; the unknown event did nothing.
    expect(await messageCount(c.alice, c.direct)).toBe(before + 1);
  });

  it('drops a frame over the 64 KiB limit (or refuses it) without harming other clients or later connections', async () => {
    const before = await messageCount(c.alice, c.direct);
    const bigTab = await live(c.alice);
    const disconnected = new Promise<string>((resolve) => bigTab.socket.once('disconnect', (reason) => resolve(reason)));
    const text = 'y'.repeat(70 * 1024);
    const outcome = await Promise.race([
      bigTab.request<Ack>('message:send', { threadId: c.direct, text, clientMessageId: uuid() }).then(
        (ack) => ({ ack }),
        (error: Error) => ({ failed: error.message }),
      ),
      disconnected.then((reason) => ({ disconnected: reason })),
    ]);
    // Either the connection is closed for the oversized frame, or the event is refused through its ack: never stored.
    if ('ack' in outcome) {
      expect(outcome.ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_request', message: expect.any(String) }) });
    } else {
      // The ack was not answered because the connection went (not because it timed out on a live socket).
      expect(bigTab.socket.connected).toBe(false);
      expect(await disconnected).toEqual(expect.any(String));
    }

    // The server keeps serving other clients: alice's first tab sends, bob and carol receive.
    expect(aliceLive.socket.connected).toBe(true);
    expect(bobLive.socket.connected).toBe(true);
    const fine = await aliceLive.request<Ack>('message:send', { threadId: c.direct, text: 'after the big frame', clientMessageId: uuid() });
    expect(fine).toMatchObject({ ok: true, message: { text: 'after the big frame' } });
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === fine.message?.id);
    const fromCarol = await carolLive.request<Ack>('message:send', { threadId: c.group, text: 'carol after the big frame', clientMessageId: uuid() });
    expect(fromCarol.ok).toBe(true);
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === fromCarol.message?.id);

    // A fresh connection of the same user is accepted, greeted and works.
    const fresh = await live(c.alice);
    await fresh.waitFor('hello');
    const again = await fresh.request<Ack>('message:send', { threadId: c.direct, text: 'fresh connection', clientMessageId: uuid() });
    expect(again).toMatchObject({ ok: true, message: { text: 'fresh connection', sender: { id: c.alice.id } } });
    await bobLive.waitFor<{ message: Message }>('message:new', (e) => e.message.id === again.message?.id);

    // The oversized text was never stored: only the two sends above were added.
    expect(await messageCount(c.alice, c.direct)).toBe(before + 2);
  });
});
