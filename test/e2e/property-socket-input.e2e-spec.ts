import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  assertProperty,
  codePoints,
  hasLoneSurrogate,
  INJECTIONS,
  jsonBody,
  loneSurrogate,
  nested,
  specialString,
  textOfLength,
  type FieldSchema,
} from '../support/bad-input.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { recordReliability, type ReliabilityRow } from '../support/reliability-report.js';
import { discoverSocketEvents, type SocketEvent } from '../support/route-table.js';
import { LiveSockets, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Property-based bad input over Socket.IO, for every client→server event the gateways declare (read from their
 * metadata, so a new event is fuzzed without anyone adding it here): payloads shaped after the event's DTO with
 * fields mistyped, missing or extra, huge and negative numbers, deep nesting, NUL, lone surrogates, binary
 * attachments, injection strings, text over 4,000 characters. Every one is answered through its acknowledgement,
 * `{ok: true, …}` or `{ok: false, error: {code, message}}` with a client error code, never `internal`; the socket
 * stays connected and keeps working. The fixed cases per event are in socket-bad-input.e2e-spec.ts.
 */

const RUNS_PER_EVENT = 80;
const RUNS_ROUND_TRIP = 60;
const CLIENT_ERROR_CODES = ['bad_request', 'not_found', 'forbidden', 'conflict', 'rate_limited'];

interface Ack {
  ok: boolean;
  error?: { code: string; message: unknown };
  message?: { id: number; text: string; seq: number };
}

/** Sends the event with only the acknowledgement callback: no payload at all. */
const NO_PAYLOAD = Symbol('no payload');

describe('property-based bad input over Socket.IO', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let group: number;
  let message: number;
  let aliceLive: LiveClient;
  let bobLive: LiveClient;
  const sockets = new LiveSockets();
  const figures = { events: 0, payloads: 0, internal: 0, outcomes: new Map<string, number>() };
  const rawFrames: string[] = [];
  const rows: ReliabilityRow[] = [];

  const live = (user: TestUser): Promise<LiveClient> => sockets.connect(t.baseUrl, user.token);

  const emit = (client: LiveClient, event: string, payload: unknown): Promise<Ack> =>
    payload === NO_PAYLOAD ? client.request<Ack>(event) : client.request<Ack>(event, payload);

  /** The checks every acknowledgement of a generated payload must pass. */
  const expectClearAck = (event: string, payload: unknown, ack: Ack): void => {
    figures.payloads += 1;
    const outcome = ack?.ok === true ? 'ok' : String(ack?.error?.code);
    figures.outcomes.set(outcome, (figures.outcomes.get(outcome) ?? 0) + 1);
    if (outcome === 'internal' || outcome === 'unavailable') figures.internal += 1;
    const shown = { event, payload: JSON.stringify(payload)?.slice(0, 300), ack };
    if (ack?.ok === true) return;
    expect({ ...shown, clientError: CLIENT_ERROR_CODES.includes(outcome) }).toMatchObject({ clientError: true });
    expect(Object.keys(ack).sort()).toEqual(['error', 'ok']);
    expect(typeof ack.error?.message === 'string' && ack.error.message.trim().length > 0).toBe(true);
  };

  /** Alice's socket is still up, and a valid send over it reaches bob. */
  const expectSocketStillWorks = async (): Promise<void> => {
    expect(aliceLive.socket.connected).toBe(true);
    const ack = await aliceLive.request<Ack>('message:send', { threadId: group, text: 'still here', clientMessageId: randomUUID() });
    expect(ack).toMatchObject({ ok: true, message: { text: 'still here' } });
    await bobLive.waitFor<{ message: { id: number } }>('message:new', (e) => e.message.id === ack.message?.id);
  };

  beforeAll(async () => {
    t = await startTestApp(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {});
    alice = await t.createUser('ps_alice');
    bob = await t.createUser('ps_bob');
    carol = await t.createUser('ps_carol');
    group = await t.createThread(alice, [bob, carol], 'Socket fuzz');
    message = (await t.http().post(`/api/v1/threads/${group}/messages/`).set('Authorization', bob.auth).send({ text: 'hello' }).expect(201)).body.id as number;
    aliceLive = await live(alice);
    bobLive = await live(bob);
  });

  afterAll(async () => {
    const outcomes = [...figures.outcomes.entries()].map(([code, n]) => `${code}×${n}`).join(', ');
    rows.unshift({
      check: 'Generated socket payloads over every event',
      tried: `${figures.payloads} payloads over ${figures.events} events (${RUNS_PER_EVENT} per event): ${outcomes}`,
      result: `${figures.internal} internal errors, socket never dropped`,
    });
    if (rawFrames.length > 0) rows.push({ check: 'Frames that are not Socket.IO', tried: rawFrames.join('; '), result: 'server and other clients unaffected' });
    recordReliability('bad-input-socket', rows);
    sockets.closeAll();
    await t?.close();
  });

  describe('every event', () => {
    let events: SocketEvent[];
    beforeAll(() => {
      events = discoverSocketEvents(t.app);
    });

    it('finds the events to fuzz in the gateways, with the fields their payloads validate', () => {
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['message:send', 'typing']));
      const send = events.find((e) => e.event === 'message:send');
      expect(send?.fields).toEqual({ threadId: { type: 'integer' }, text: { type: 'string' }, clientMessageId: { type: 'string' } });
    });

    it('answers every generated payload through its acknowledgement with a client error or success, and keeps the socket', async () => {
      for (const { event, fields } of events) {
        const properties: Record<string, FieldSchema> = fields;
        const payload = fc.oneof(
          // socket.io-client walks a payload recursively (looking for binary): deeper nesting is sent raw, below.
          { weight: 6, arbitrary: jsonBody(properties, { ids: [group, message, alice.id, bob.id] }, 300).map((text): unknown => parseOrKeep(text)) },
          { weight: 1, arbitrary: fc.constant<unknown>(NO_PAYLOAD) },
          { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
          // Socket.IO carries binary attachments too: a Buffer as the payload, or in a field.
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): unknown => Buffer.from(bytes)) },
          { weight: 1, arbitrary: fc.constantFrom(...Object.keys(fields)).map((name): unknown => ({ threadId: group, [name]: Buffer.from('binary') })) },
        );
        await assertProperty(
          fc.asyncProperty(payload, async (generated) => {
            expectClearAck(event, generated, await emit(aliceLive, event, generated));
            expect(aliceLive.socket.connected).toBe(true);
          }),
          RUNS_PER_EVENT,
        );
        await expectSocketStillWorks();
        figures.events += 1;
      }
    });

    it('refuses deeply nested payloads with bad_request on every event', async () => {
      for (const { event } of events) {
        for (const deep of [nested(300, 'array'), nested(300, 'object'), `{"threadId":${nested(40, 'array')}}`]) {
          const ack = await emit(aliceLive, event, JSON.parse(deep));
          expect({ event, ack }).toMatchObject({ event, ack: { ok: false, error: { code: 'bad_request' } } });
        }
      }
      await expectSocketStillWorks();
    });

    it('refuses NUL and lone surrogates in any string field of any event with bad_request', async () => {
      for (const { event, fields } of events) {
        for (const [name, schema] of Object.entries(fields)) {
          if (schema.type !== 'string') continue;
          for (const bad of ['a\u0000b', 'a\ud800b', '\udfff']) {
            const ack = await emit(aliceLive, event, { threadId: group, text: 'x', clientMessageId: randomUUID(), [name]: bad });
            expect({ event, name, bad, ack }).toMatchObject({ ack: { ok: false, error: { code: 'bad_request' } } });
          }
        }
      }
    });
  });

  describe('message text over the socket is stored and delivered byte for byte, or refused', () => {
    it('the ack, the recipient and the stored history all hold exactly what was sent (trimmed)', async () => {
      let stored = 0;
      let refused = 0;
      const text = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
        { weight: 3, arbitrary: specialString },
        { weight: 2, arbitrary: textOfLength(3995, 4005) },
        { weight: 1, arbitrary: fc.tuple(textOfLength(1, 10), loneSurrogate).map(([a, b]) => `${a}${b}`) },
      );
      await assertProperty(
        fc.asyncProperty(text, async (sent) => {
          const ack = await aliceLive.request<Ack>('message:send', { threadId: group, text: sent, clientMessageId: randomUUID() });
          const trimmed = sent.trim();
          if (sent.includes('\u0000') || hasLoneSurrogate(sent) || trimmed.length === 0 || codePoints(trimmed) > 4000) {
            expect({ sent, ack }).toMatchObject({ ack: { ok: false, error: { code: 'bad_request' } } });
            refused += 1;
            return;
          }
          expect({ sent, ok: ack.ok, text: ack.message?.text }).toEqual({ sent, ok: true, text: trimmed });
          const delivered = await bobLive.waitFor<{ message: { id: number; text: string } }>('message:new', (e) => e.message.id === ack.message?.id);
          expect(delivered.message.text).toBe(trimmed);
          const history = await t
            .http()
            .get(`/api/v1/threads/${group}/messages/?afterSeq=${(ack.message?.seq as number) - 1}&limit=1`)
            .set('Authorization', carol.auth)
            .expect(200);
          expect(history.body.results[0].text).toBe(trimmed);
          stored += 1;
        }),
        RUNS_ROUND_TRIP,
      );
      rows.push({
        check: 'Message text round trip (Socket.IO)',
        tried: `${stored + refused} generated texts: ack, live delivery and history compared`,
        result: `${stored} byte for byte, ${refused} refused with bad_request, 0 altered`,
      });
    });
  });

  describe('frames that are not Socket.IO at all', () => {
    const connectRaw = async (user: TestUser): Promise<RawWebSocket> => {
      const ws = await RawWebSocket.open(t.baseUrl, '/socket.io/?EIO=4&transport=websocket');
      await ws.waitForText((text) => text.startsWith('0{'));
      ws.sendText(`40${JSON.stringify({ token: user.token })}`);
      expect(await ws.waitForText((text) => text.startsWith('42["hello"'))).toBeDefined();
      return ws;
    };

    it('refuses payloads nested 10,000 deep (sent raw: no client library would) with bad_request', async () => {
      const ws = await connectRaw(alice);
      const events = discoverSocketEvents(t.app).map((e) => e.event);
      for (const [i, event] of events.entries()) {
        for (const [j, deep] of [nested(10_000, 'array'), nested(10_000, 'object')].entries()) {
          const id = 10 + i * 2 + j;
          ws.sendText(`42${id}[${JSON.stringify(event)},${deep}]`);
          const ack = await ws.waitForText((text) => text.startsWith(`43${id}[`), 20_000);
          expect({ event, ack: ack && JSON.parse(ack.slice(`43${id}`.length)) }).toMatchObject({ event, ack: [{ ok: false, error: { code: 'bad_request' } }] });
        }
      }
      ws.destroy();
      await expectSocketStillWorks();
    });

    it('answers a raw, valid event sent by hand (the control for the cases below)', async () => {
      const ws = await connectRaw(alice);
      ws.sendText(`421${JSON.stringify(['thread:read', { threadId: group }])}`);
      const ack = await ws.waitForText((text) => text.startsWith('431'));
      expect(JSON.parse((ack as string).slice(3))).toEqual([expect.objectContaining({ ok: true, threadId: group })]);
      ws.destroy();
    });

    it.each([
      ['a text frame that is not UTF-8', Buffer.concat([Buffer.from('421["message:send",{"text":"'), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from('"}]')])],
      ['a Socket.IO packet that is not JSON', Buffer.from('421["message:send",{"threadId":')],
      ['an unknown packet type', Buffer.from('9hello')],
      ['a binary event announcing attachments that never come', Buffer.from('451-1["message:send",{"_placeholder":true,"num":0}]')],
    ])('%s: that connection is refused or closed, the server and everyone else carry on', async (label, frame) => {
      const ws = await connectRaw(alice);
      ws.sendFrame(frame);
      // Either the server ends this connection (an invalid frame, a packet it cannot decode), or it ignores the frame
      // and answers the valid event sent right after it (frames are handled in order); never a crash.
      ws.sendText(`422${JSON.stringify(['thread:read', { threadId: group }])}`);
      const ack = await ws.waitForText((text) => text.startsWith('432'), 20_000);
      expect({ answered: ack !== undefined, closed: ws.closed }).toEqual(
        ack === undefined ? { answered: false, closed: true } : { answered: true, closed: false },
      );
      rawFrames.push(
        `${label}: ${ack === undefined ? `connection closed (${ws.closeCode === undefined ? 'TCP' : `close code ${ws.closeCode}`})` : 'ignored, connection kept'}`,
      );
      ws.destroy();
      await expectSocketStillWorks();
      await t.http().get('/health/live').expect(200);
    });
  });
});

/** A generated body as a socket payload: parsed when it is JSON (keys like "__proto__" stay own keys), else the text itself. */
function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
