import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface Message {
  id: number;
  threadId: number;
  seq: number;
  sender: { id: number; username: string; displayName: string };
  text: string;
  createdAt: string;
  clientMessageId: string | null;
  readByMe: boolean;
  isRead: boolean;
}

interface Envelope<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

describe('messages', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  const directThread = async (a: TestUser, b: TestUser): Promise<number> =>
    (
      (
        await t
          .http()
          .post('/api/v1/threads/')
          .set('Authorization', a.auth)
          .send({ participants: [b.id] })
      ).body as { id: number }
    ).id;
  const send = (user: TestUser, threadId: number, body: Record<string, unknown>) =>
    t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send(body);
  const history = async (user: TestUser, threadId: number, query = ''): Promise<Envelope<Message>> =>
    (await t.http().get(`/api/v1/threads/${threadId}/messages/${query}`).set('Authorization', user.auth).expect(200)).body as Envelope<Message>;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('alice', { displayName: 'Alice' });
    bob = await t.createUser('bob', { displayName: 'Bob' });
  });
  afterAll(() => t.close());

  it('stores a message with seq 1, trimmed text and the sender, answering 201', async () => {
    const threadId = await directThread(alice, bob);
    const res = await send(alice, threadId, { text: '  Hello Bob  ' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      threadId,
      seq: 1,
      sender: { id: alice.id, username: 'alice', displayName: 'Alice', online: false },
      text: 'Hello Bob',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      editedAt: null,
      deletedAt: null,
      clientMessageId: null,
      readByMe: true,
      isRead: false,
    });
  });

  it('is idempotent per clientMessageId: a retry answers 200 with the same message and stores nothing', async () => {
    const threadId = await directThread(alice, await t.createUser('carol'));
    const clientMessageId = randomUUID();
    const first = await send(alice, threadId, { text: 'once', clientMessageId }).expect(201);
    const retry = await send(alice, threadId, { text: 'once', clientMessageId }).expect(200);
    expect(retry.body).toEqual(first.body);
    const page = await history(alice, threadId);
    expect(page.count).toBe(1);
    expect(page.results.map((m) => m.clientMessageId)).toEqual([clientMessageId]);
  });

  it('refuses a clientMessageId already used in another thread with 409', async () => {
    const dave = await t.createUser('dave');
    const first = await directThread(alice, dave);
    const second = await directThread(bob, dave);
    const clientMessageId = randomUUID();
    await send(dave, first, { text: 'to alice', clientMessageId }).expect(201);
    const res = await send(dave, second, { text: 'to bob', clientMessageId }).expect(409);
    expect(res.body.code).toBe('client_message_id_reused');
    expect((await history(bob, second)).count).toBe(0);
  });

  it('lets the same clientMessageId be used by two different senders', async () => {
    const threadId = await directThread(alice, bob);
    const clientMessageId = randomUUID();
    const a = await send(alice, threadId, { text: 'from alice', clientMessageId }).expect(201);
    const b = await send(bob, threadId, { text: 'from bob', clientMessageId }).expect(201);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('stores one message for 50 concurrent sends with one clientMessageId, all answers carrying its id', async () => {
    const erin = await t.createUser('erin');
    const threadId = await directThread(alice, erin);
    const clientMessageId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(alice, threadId, { text: 'only once', clientMessageId })));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(answers.map((r) => (r.body as Message).id)).size).toBe(1);
    const page = await history(erin, threadId);
    expect(page.count).toBe(1);
    expect(page.results).toHaveLength(1);
    expect(page.results[0]?.seq).toBe(1);
    // The next message takes seq 2: the retries that lost did not burn a seq.
    expect((await send(erin, threadId, { text: 'next' }).expect(201)).body.seq).toBe(2);
  });

  it('keeps seq contiguous in send order over 200 concurrent sends by two users', async () => {
    const frank = await t.createUser('frank');
    const threadId = await directThread(alice, frank);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(i % 2 === 0 ? alice : frank, threadId, { text: `message ${i}`, clientMessageId: `burst-${i}` })),
    );
    expect(answers.every((r) => r.status === 201)).toBe(true);
    const seqs = answers.map((r) => (r.body as Message).seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const stored = [...(await history(alice, threadId, '?limit=200')).results];
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    // Ids are assigned in the same order as seqs: the seq order is the commit order.
    expect(stored.map((m) => m.id)).toEqual([...stored.map((m) => m.id)].sort((a, b) => a - b));
  });

  describe('history', () => {
    let threadId: number;
    let gina: TestUser;

    beforeAll(async () => {
      gina = await t.createUser('gina');
      threadId = await directThread(alice, gina);
      for (let i = 1; i <= 120; i += 1) await send(i % 3 === 0 ? gina : alice, threadId, { text: `m${i}` }).expect(201);
    });

    it('lists oldest first with the LimitOffset envelope and default limit 50', async () => {
      const page = await history(alice, threadId);
      expect(page.count).toBe(120);
      expect(page.results).toHaveLength(50);
      expect(page.results[0]?.seq).toBe(1);
      expect(page.results[49]?.seq).toBe(50);
      expect(page.previous).toBeNull();
      expect(new URL(page.next as string).searchParams.get('offset')).toBe('50');
    });

    it('follows next and previous links', async () => {
      const first = await history(alice, threadId, '?limit=40');
      const nextUrl = new URL(first.next as string);
      const second = (await t.http().get(`${nextUrl.pathname}${nextUrl.search}`).set('Authorization', alice.auth).expect(200)).body as Envelope<Message>;
      expect(second.results.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 41));
      expect(new URL(second.previous as string).searchParams.get('offset')).toBe('0');
      const last = await history(alice, threadId, '?limit=40&offset=80');
      expect(last.next).toBeNull();
      expect(last.results.at(-1)?.seq).toBe(120);
    });

    it('clamps a limit above 200', async () => {
      const page = await history(alice, threadId, '?limit=5000');
      expect(page.results).toHaveLength(120);
      const big = await history(alice, threadId, '?limit=201&offset=0');
      expect(big.results).toHaveLength(120);
    });

    it('returns what came after a seq for catch-up, oldest first', async () => {
      const page = await history(alice, threadId, '?afterSeq=100');
      expect(page.count).toBe(20);
      expect(page.results.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 101));
      expect((await history(alice, threadId, '?afterSeq=120')).results).toEqual([]);
    });

    it('returns the limit messages right before a seq, ascending, with a link to the older page', async () => {
      const page = await history(alice, threadId, '?beforeSeq=61&limit=20');
      expect(page.results.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 41));
      expect(page.count).toBe(60);
      expect(new URL(page.next as string).searchParams.get('beforeSeq')).toBe('41');
      const oldest = await history(alice, threadId, '?beforeSeq=6&limit=20');
      expect(oldest.results.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(oldest.next).toBeNull();
    });

    it('marks readByMe and isRead from the markers', async () => {
      // alice sent 118 and 119, gina sent 120; sending reads everything before, so gina has read 118 and 119.
      const asGina = new Map((await history(gina, threadId, '?afterSeq=117')).results.map((m) => [m.seq, m]));
      expect(asGina.get(118)).toMatchObject({ sender: { id: alice.id }, readByMe: true, isRead: true });
      expect(asGina.get(120)).toMatchObject({ sender: { id: gina.id }, readByMe: true, isRead: false });
      const asAlice = new Map((await history(alice, threadId, '?afterSeq=117')).results.map((m) => [m.seq, m]));
      expect(asAlice.get(119)).toMatchObject({ readByMe: true, isRead: true });
      expect(asAlice.get(120)).toMatchObject({ readByMe: false, isRead: false });
    });

    it('serves the same list at /history/{chatId}', async () => {
      const alias = (await t.http().get(`/history/${threadId}?limit=10&offset=5`).set('Authorization', alice.auth).expect(200)).body as Envelope<Message>;
      expect(alias).toMatchObject({ count: 120 });
      expect(alias.results).toEqual((await history(alice, threadId, '?limit=10&offset=5')).results);
      await t.http().get(`/history/${threadId}`).expect(401);
    });
  });
});
