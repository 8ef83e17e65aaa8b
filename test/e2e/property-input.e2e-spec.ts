import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import request from 'supertest';
import {
  assertProperty,
  codePoints,
  formBody,
  hasLoneSurrogate,
  INJECTIONS,
  jsonBody,
  loneSurrogate,
  nested,
  pathSegment,
  percentEncode,
  queryString,
  specialString,
  textOfLength,
  type FieldSchema,
} from '../support/bad-input.js';
import { multipart, urlencoded, URLENCODED } from '../support/forms.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { recordReliability, type ReliabilityRow } from '../support/reliability-report.js';
import { discoverHttpRoutes, fillPath, openApiPath, type HttpRoute } from '../support/route-table.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Property-based bad input over HTTP, for every route of the running app (read from its router, so a new route is
 * fuzzed without anyone adding it here): generated path segments, query strings, JSON bodies shaped after the
 * route's OpenAPI schema (fields mistyped, missing, extra, huge and negative numbers, deep nesting, NUL bytes,
 * lone surrogates, injection strings, text over the limits) and Authorization headers. Never a 5xx; every 4xx of
 * the application is its one JSON error shape; the server answers normally afterwards. The fixed cases (malformed
 * JSON, 64 KiB, each DTO's fields) are in bad-input.e2e-spec.ts; this file adds what a table cannot enumerate,
 * plus the explicit cases that need raw bytes: 10 MB bodies, invalid UTF-8, deep nesting.
 */

const RUNS_PER_ROUTE = 50;
const RUNS_ROUND_TRIP = 100;
const MB = 1024 * 1024;

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: FieldSchema }> } }>>;
  components: { schemas: Record<string, FieldSchema> };
}

interface Sent {
  method: string;
  path: string;
  auth?: string;
  body?: string | Buffer;
  /** The body's Content-Type: application/json unless said. */
  contentType?: string;
}

/**
 * Routes Nest serves (the API, health, web pages) answer errors in the contract's shape; Swagger's and AdminJS's do
 * not, nor does Node's HTTP parser when it refuses a request line and headers over 16 KiB (431) before any route.
 */
const answersInContractShape = (path: string, status: number): boolean => !path.startsWith('/docs') && !path.startsWith('/admin') && status !== 431;

describe('property-based bad input over HTTP', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let document: OpenApiDocument;
  const figures = { routes: 0, inputs: 0, fiveHundreds: 0, statuses: new Map<number, number>() };
  const rows: ReliabilityRow[] = [];

  /** A group of alice's (owner) with bob and carol, and a message: what generated requests address when they keep a real id. */
  const newGroup = async (): Promise<{ group: number; message: number }> => {
    const group = await t.createThread(alice, [bob, carol], 'Fuzz');
    const message = (await t.http().post(`/api/v1/threads/${group}/messages/`).set('Authorization', bob.auth).send({ text: 'hello' }).expect(201)).body
      .id as number;
    return { group, message };
  };

  const sendGenerated = async (sent: Sent): Promise<{ status: number; body: unknown; contentType: string }> => {
    let req = t.http()[sent.method.toLowerCase() as 'get' | 'post' | 'delete'](sent.path);
    if (sent.auth !== undefined) req = req.set('Authorization', sent.auth);
    if (sent.body !== undefined) {
      req = req.set('Content-Type', sent.contentType ?? 'application/json');
      // Bytes as they are: superagent would serialise a Buffer.
      if (Buffer.isBuffer(sent.body)) req = req.serialize((body: unknown) => body as string);
      req = req.send(sent.body);
    }
    const res = await req;
    return { status: res.status, body: res.body, contentType: String(res.headers['content-type'] ?? '') };
  };

  /** The checks every answer to bad input must pass. */
  const expectClearAnswer = (sent: Sent, res: { status: number; body: unknown; contentType: string }): void => {
    figures.inputs += 1;
    figures.statuses.set(res.status, (figures.statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) figures.fiveHundreds += 1;
    // One assertion with the request and the answer in it, so that a failure shows both.
    expect({ sent, status: res.status, serverError: res.status >= 500 }).toMatchObject({ serverError: false });
    if (res.status >= 400 && answersInContractShape(sent.path, res.status)) {
      const body = res.body as Record<string, unknown>;
      expect({ sent, contentType: res.contentType }).toMatchObject({ contentType: expect.stringMatching(/^application\/json/) });
      expect({ sent, body }).toMatchObject({ body: { statusCode: res.status, error: expect.any(String), message: expect.anything() } });
      const messages = Array.isArray(body.message) ? body.message : [body.message];
      for (const message of messages) expect(typeof message === 'string' && message.trim().length > 0).toBe(true);
      if (body.code !== undefined) expect(typeof body.code === 'string' && body.code.length > 0).toBe(true);
    }
  };

  const expectServerStillAnswers = async (): Promise<void> => {
    await t.http().get('/health/live').expect(200);
    await t.http().get('/api/v1/users/me/').set('Authorization', alice.auth).expect(200);
  };

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('pi_alice');
    bob = await t.createUser('pi_bob');
    carol = await t.createUser('pi_carol');
    document = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  });

  afterAll(async () => {
    const statuses = [...figures.statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
    rows.unshift({
      check: 'Generated requests over every route',
      tried: `${figures.inputs} requests over ${figures.routes} routes and mounts (${RUNS_PER_ROUTE} per route): ${statuses.join(', ')}`,
      result: `${figures.fiveHundreds} 5xx`,
    });
    recordReliability('bad-input', rows);
    await t?.close();
  });

  describe('every route', () => {
    /** The body schema of a route from the app's own OpenAPI document (no schema: any JSON at all). */
    const bodySchemaOf = (route: HttpRoute): Record<string, FieldSchema> => {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const schema = operation?.requestBody?.content?.['application/json']?.schema;
      const resolved = schema?.$ref ? document.components.schemas[schema.$ref.split('/').at(-1) as string] : schema;
      return resolved?.properties ?? {};
    };
    const queryNamesOf = (route: HttpRoute): string[] =>
      (document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);

    const validParam = (route: HttpRoute, name: string, ids: { group: number; message: number }): string => {
      if (name === 'file') return 'app.css';
      if (name === 'userId') return String(bob.id);
      if (name === 'id' && route.path.startsWith('/api/v1/messages/')) return String(ids.message);
      return String(ids.group);
    };

    const auth = (): fc.Arbitrary<string | undefined> =>
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(alice.auth) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Basic YWxpY2U6cGFzc3dvcmQ=',
            `Bearer ${alice.token}x`,
            `bearer  ${alice.token}`,
            `Bearer ${alice.token.split('.').slice(0, 2).join('.')}`,
          ),
        },
      );

    const routes = (): HttpRoute[] => discoverHttpRoutes(t.app).routes;

    it('finds the routes to fuzz in the app itself, and the body schema of each API route in its OpenAPI document', () => {
      const found = routes();
      expect(found.map((r) => r.key)).toEqual(expect.arrayContaining(['POST /api/v1/threads/:id/messages', 'GET /api/v1/threads/:id', 'POST /api/token']));
      expect(found.length).toBeGreaterThan(25);
      // Every API route is documented, so its body fields are generated from its schema rather than guessed.
      const api = found.filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/history/'));
      expect(api.filter((r) => !document.paths[openApiPath(r.path)]?.[r.method.toLowerCase()]).map((r) => r.key)).toEqual([]);
      expect(Object.keys(bodySchemaOf(found.find((r) => r.key === 'POST /api/v1/threads/:id/messages') as HttpRoute)).sort()).toEqual([
        'clientMessageId',
        'text',
      ]);
    });

    // One property per route of the running app; the routes are known only once it runs, hence one test for all
    // (a failure names the request, path included).
    it('never answers a generated request with a 5xx, and answers every refusal with a clear JSON error', async () => {
      const found = routes();
      for (const route of found) {
        const ids = await newGroup();
        const properties = bodySchemaOf(route);
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const arbitrary = fc.record({
          params: fc.tuple(...route.params.map((name) => pathSegment(validParam(route, name, ids)))),
          query: fc.option(queryString(queryNamesOf(route)), { nil: undefined, freq: 2 }),
          body: hasBody
            ? fc.option(jsonBody(properties, { ids: [ids.group, ids.message, bob.id, carol.id, alice.id] }), { nil: undefined, freq: 6 })
            : fc.constant(undefined),
          auth: auth(),
        });
        await assertProperty(
          fc.asyncProperty(arbitrary, async ({ params, query, body, auth }) => {
            const path = fillPath(route.path, Object.fromEntries(route.params.map((name, i) => [name, params[i]])));
            const sent: Sent = { method: route.method, path: query ? `${path}?${query}` : path, auth, body };
            expectClearAnswer(sent, await sendGenerated(sent));
          }),
          RUNS_PER_ROUTE,
        );
        await expectServerStillAnswers();
        figures.routes += 1;
      }
    });

    it('never answers a generated form body (urlencoded or multipart) with a 5xx, on every route that takes a body', async () => {
      const found = routes().filter((route) => route.method === 'POST' && Object.keys(bodySchemaOf(route)).length > 0);
      expect(found.length).toBeGreaterThanOrEqual(6);
      for (const route of found) {
        const ids = await newGroup();
        const arbitrary = fc.record({
          params: fc.tuple(...route.params.map((name) => pathSegment(validParam(route, name, ids)))),
          form: formBody(bodySchemaOf(route), { ids: [ids.group, ids.message, bob.id, carol.id, alice.id] }),
          auth: auth(),
        });
        await assertProperty(
          fc.asyncProperty(arbitrary, async ({ params, form, auth }) => {
            const path = fillPath(route.path, Object.fromEntries(route.params.map((name, i) => [name, params[i]])));
            const sent: Sent = { method: route.method, path, auth, body: form.body, contentType: form.contentType };
            expectClearAnswer(sent, await sendGenerated(sent));
          }),
          RUNS_PER_ROUTE,
        );
        await expectServerStillAnswers();
        figures.routes += 1;
      }
    });

    it('never answers a 5xx under the mounted handlers either (Swagger UI assets, the admin panel)', async () => {
      const { mounts } = discoverHttpRoutes(t.app);
      expect(mounts.map((m) => m.path).sort()).toEqual(['/admin', '/docs']);
      for (const mount of mounts) {
        const arbitrary = fc.record({
          method: fc.constantFrom('GET', 'POST'),
          rest: fc.oneof(
            fc.constantFrom('', '/', '/login', '/api/resources/User/actions/list', '/swagger-ui.css', '/..%2f..%2fpackage.json'),
            specialString.map((s) => `/${percentEncode(s)}`),
          ),
          query: fc.option(queryString(['page', 'perPage', 'filters.threadId', 'sortBy']), { nil: undefined, freq: 2 }),
          body: fc.option(jsonBody({ email: { type: 'string' }, password: { type: 'string' } }, { ids: [1] }), { nil: undefined, freq: 2 }),
        });
        await assertProperty(
          fc.asyncProperty(arbitrary, async ({ method, rest, query, body }) => {
            const path = `${mount.path}${rest}${query ? `?${query}` : ''}`;
            const sent: Sent = { method, path, body: method === 'POST' ? body : undefined };
            expectClearAnswer(sent, await sendGenerated(sent));
          }),
          RUNS_PER_ROUTE,
        );
        figures.routes += 1;
      }
      await expectServerStillAnswers();
    });
  });

  describe('text is stored and returned byte for byte, or refused with a clear 400', () => {
    let thread: number;
    beforeAll(async () => {
      thread = await t.createThread(alice, [bob]);
    });

    /** What the contract makes of a message text: trimmed, 1 to 4,000 characters, no NUL, well-formed Unicode (null: refused). */
    const expectedText = (text: string): string | null => {
      const trimmed = text.trim();
      if (text.includes('\u0000') || hasLoneSurrogate(text) || trimmed.length === 0 || codePoints(trimmed) > 4000) return null;
      return trimmed;
    };

    const messageText = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
      { weight: 3, arbitrary: specialString },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'grapheme', maxLength: 30 })).map(([a, b]) => `${b}${a}${b}`) },
      { weight: 2, arbitrary: textOfLength(3995, 4005) },
      { weight: 1, arbitrary: fc.tuple(textOfLength(1, 10), loneSurrogate).map(([a, b]) => `${a}${b}${a}`) },
    );

    it('message text over REST: the answer and the stored history hold exactly what was sent (trimmed)', async () => {
      let stored = 0;
      let refused = 0;
      await assertProperty(
        fc.asyncProperty(messageText, async (text) => {
          const res = await t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).send({ text });
          const expected = expectedText(text);
          if (expected === null) {
            expect({ text, status: res.status, code: res.body.code }).toMatchObject({ status: 400 });
            refused += 1;
            return;
          }
          expect({ text, status: res.status, stored: res.body.text }).toEqual({ text, status: 201, stored: expected });
          const history = await t
            .http()
            .get(`/api/v1/threads/${thread}/messages/?afterSeq=${(res.body.seq as number) - 1}&limit=1`)
            .set('Authorization', bob.auth)
            .expect(200);
          expect(history.body.results[0].text).toBe(expected);
          stored += 1;
        }),
        RUNS_ROUND_TRIP,
      );
      rows.push({
        check: 'Message text round trip (REST)',
        tried: `${stored + refused} generated texts (injections, random Unicode, 3,995–4,005 characters, NUL, lone surrogates)`,
        result: `${stored} stored byte for byte, ${refused} refused with 400, 0 altered`,
      });
    });

    it('edited text over REST: the answer and the stored history hold exactly what was sent (trimmed), or a 400 changes nothing', async () => {
      const sent = (await t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).send({ text: 'to be edited' }).expect(201))
        .body as { id: number; seq: number };
      let current = 'to be edited';
      let edited = 0;
      let refused = 0;
      await assertProperty(
        fc.asyncProperty(messageText, async (text) => {
          const res = await t.http().patch(`/api/v1/messages/${sent.id}/`).set('Authorization', alice.auth).send({ text });
          const expected = expectedText(text);
          if (expected === null) {
            expect({ text, status: res.status }).toMatchObject({ status: 400 });
            refused += 1;
          } else {
            expect({ text, status: res.status, stored: res.body.text }).toEqual({ text, status: 200, stored: expected });
            current = expected;
            edited += 1;
          }
          const history = await t
            .http()
            .get(`/api/v1/threads/${thread}/messages/?afterSeq=${sent.seq - 1}&limit=1`)
            .set('Authorization', bob.auth)
            .expect(200);
          expect(history.body.results[0]).toMatchObject({ id: sent.id, text: current });
        }),
        RUNS_ROUND_TRIP,
      );
      rows.push({
        check: 'Edited message text round trip (REST)',
        tried: `${edited + refused} generated texts`,
        result: `${edited} stored byte for byte, ${refused} refused with 400 leaving the message as it was, 0 altered`,
      });
    });

    it('message text in form bodies (urlencoded and multipart): stored exactly as JSON stores it, or refused with a clear 400', async () => {
      let stored = 0;
      let refused = 0;
      await assertProperty(
        fc.asyncProperty(messageText, fc.boolean(), async (text, asMultipart) => {
          const form = asMultipart ? multipart([['text', text]]) : { contentType: URLENCODED, body: urlencoded([['text', text]]) };
          let req = t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).set('Content-Type', form.contentType);
          if (Buffer.isBuffer(form.body)) req = req.serialize((body: unknown) => body as string);
          const res = await req.send(form.body);
          const expected = expectedText(text);
          if (expected === null) {
            expect({ text, asMultipart, status: res.status, code: res.body.code }).toMatchObject({ status: 400, code: expect.any(String) });
            refused += 1;
            return;
          }
          expect({ text, asMultipart, status: res.status, stored: res.body.text }).toEqual({ text, asMultipart, status: 201, stored: expected });
          stored += 1;
        }),
        RUNS_ROUND_TRIP,
      );
      rows.push({
        check: 'Message text round trip (form bodies)',
        tried: `${stored + refused} generated texts, urlencoded and multipart`,
        result: `${stored} stored byte for byte, ${refused} refused with 400, 0 altered`,
      });
    });

    it('group titles: stored and returned exactly as sent (trimmed), or refused with 400', async () => {
      let stored = 0;
      let refused = 0;
      const title = fc.oneof(fc.constantFrom(...INJECTIONS), specialString, textOfLength(195, 205));
      await assertProperty(
        fc.asyncProperty(title, async (text) => {
          const res = await t
            .http()
            .post('/api/v1/threads/')
            .set('Authorization', alice.auth)
            .send({ participants: [bob.id, carol.id], title: text });
          const trimmed = text.trim();
          // The 200-character limit applies to the title as sent.
          if (text.includes('\u0000') || hasLoneSurrogate(text) || trimmed.length === 0 || codePoints(text) > 200) {
            expect({ text, status: res.status }).toEqual({ text, status: 400 });
            refused += 1;
            return;
          }
          expect({ text, status: res.status, title: res.body.title }).toEqual({ text, status: 201, title: trimmed });
          const again = await t.http().get(`/api/v1/threads/${res.body.id}/`).set('Authorization', carol.auth).expect(200);
          expect(again.body.title).toBe(trimmed);
          stored += 1;
        }),
        50,
      );
      rows.push({
        check: 'Group title round trip',
        tried: `${stored + refused} generated titles`,
        result: `${stored} stored byte for byte, ${refused} refused with 400`,
      });
    });
  });

  describe('the cases that need raw bytes', () => {
    let thread: number;
    const raw = (path: string, body: Buffer, options: { auth?: boolean; chunked?: number; contentType?: string } = {}): Promise<RawResponse> =>
      rawRequest(t.baseUrl, {
        method: 'POST',
        path,
        body,
        chunked: options.chunked,
        headers: { 'content-type': options.contentType ?? 'application/json', ...(options.auth === false ? {} : { authorization: alice.auth }) },
      });
    const expectRefused = (res: RawResponse, status: number): void => {
      expect({ status: res.status, body: res.json }).toMatchObject({
        status,
        body: { statusCode: status, error: expect.any(String), message: expect.any(String) },
      });
    };

    beforeAll(async () => {
      thread = await t.createThread(alice, [carol]);
    });

    it('refuses 10 MB bodies with 413, with or without Content-Length, signed in or not, and keeps serving', async () => {
      const tenMb = Buffer.from(`{"text":"${'a'.repeat(10 * MB)}"}`);
      const paths = [`/api/v1/threads/${thread}/messages/`, '/api/v1/threads/', '/api/token/', '/api/session/'];
      let tried = 0;
      for (const path of paths) {
        expectRefused(await raw(path, tenMb, { auth: !path.startsWith('/api/token') && !path.startsWith('/api/session') }), 413);
        expectRefused(await raw(path, tenMb, { chunked: 64 * 1024 }), 413);
        tried += 2;
      }
      // The admin panel parses its own forms: refused before anything reads them.
      const admin = await raw('/admin/login', Buffer.from(`email=staff&password=${'p'.repeat(10 * MB)}`), {
        auth: false,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(admin.status).toBe(413);
      tried += 1;
      await expectServerStillAnswers();
      const after = await t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).send({ text: 'after 10 MB' }).expect(201);
      expect(after.body.text).toBe('after 10 MB');
      rows.push({
        check: '10 MB bodies',
        tried: `${tried} requests (Content-Length and chunked, API, sign-in, admin)`,
        result: 'all 413, server kept serving',
      });
    });

    it.each([
      ['arrays 5,000 deep as the text', (depth: number) => `{"text":${nested(depth, 'array')}}`, 'messages'],
      ['objects 5,000 deep as the whole body', (depth: number) => nested(depth, 'object'), 'messages'],
      ['arrays 20,000 deep as the participants', (depth: number) => `{"participants":${nested(depth * 4, 'array')}}`, 'threads'],
      ['objects 5,000 deep as the credentials', (depth: number) => `{"username":${nested(depth, 'object')},"password":"x"}`, 'token'],
      ['arrays 100 deep as an extra field', () => `{"text":"hi","extra":${nested(100, 'array')}}`, 'messages'],
    ])('refuses deeply nested JSON with a clear 400: %s', async (_label, build, target) => {
      const path = target === 'messages' ? `/api/v1/threads/${thread}/messages/` : target === 'threads' ? '/api/v1/threads/' : '/api/token/';
      const body = Buffer.from(build(5000));
      expect(body.length).toBeLessThan(64 * 1024 * 2);
      const res = await raw(path, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.json).toMatchObject({ statusCode: res.status, message: expect.anything() });
      await expectServerStillAnswers();
    });

    const invalidUtf8: [string, number[]][] = [
      ['a lone continuation byte', [0x80]],
      ['0xFF', [0xff]],
      ['an overlong "/"', [0xc0, 0xaf]],
      ['a truncated 3-byte sequence', [0xe2, 0x82]],
      ['a UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['Latin-1 "é"', [0xe9]],
    ];

    it.each(invalidUtf8)('refuses a JSON body with invalid UTF-8 (%s) with a clear 400, and stores nothing', async (_label, bytes) => {
      const before = (await t.http().get(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).expect(200)).body.count as number;
      for (const body of [
        Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from(bytes), Buffer.from('"}')]),
        Buffer.concat([Buffer.from('{"te'), Buffer.from(bytes), Buffer.from('xt":"hi"}')]),
      ]) {
        expectRefused(await raw(`/api/v1/threads/${thread}/messages/`, body), 400);
      }
      expectRefused(
        await raw('/api/token/', Buffer.concat([Buffer.from('{"username":"pi_alice'), Buffer.from(bytes), Buffer.from('","password":"password"}')]), {
          auth: false,
        }),
        400,
      );
      const after = (await t.http().get(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).expect(200)).body.count as number;
      expect(after).toBe(before);
    });

    it('still accepts valid UTF-8 of every length (2, 3 and 4 bytes) sent as raw bytes', async () => {
      const text = 'é € 😀 漢';
      const res = await raw(`/api/v1/threads/${thread}/messages/`, Buffer.from(JSON.stringify({ text }), 'utf8'));
      expect({ status: res.status, text: (res.json as { text?: string }).text }).toEqual({ status: 201, text });
    });

    it('refuses NUL and lone surrogates in any string field of any body with a clear 400', async () => {
      const cases: [string, string, object][] = [
        ['POST', `/api/v1/threads/${thread}/messages/`, { text: 'a', clientMessageId: 'x\u0000y' }],
        ['POST', `/api/v1/threads/${thread}/messages/`, { text: 'a\ud800b' }],
        ['POST', `/api/v1/threads/${thread}/messages/`, { text: 'a', clientMessageId: '\udc00' }],
        ['POST', '/api/v1/threads/', { participants: [bob.id, carol.id], title: 'x\u0000' }],
        ['POST', '/api/v1/threads/', { participants: [bob.id, carol.id], title: 'x\udbff' }],
        ['POST', '/api/token/', { username: 'pi_alice', password: 'pass\u0000word' }],
        ['POST', '/api/token/', { username: 'pi_alice\ud800', password: 'password' }],
        ['POST', '/api/session/', { username: 'pi_alice\u0000', password: 'password' }],
        ['POST', '/api/token/refresh/', { refresh: 'abc\udfff' }],
      ];
      for (const [method, path, body] of cases) {
        const res = await sendGenerated({ method, path, auth: alice.auth, body: JSON.stringify(body) });
        expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
        expect(res.body).toMatchObject({ statusCode: 400, message: expect.any(String) });
      }
      // In a query: refused, or simply matched against nothing; never a 5xx.
      const search = await t.http().get('/api/v1/users/?search=%ED%A0%80').set('Authorization', alice.auth);
      expect([200, 400]).toContain(search.status);
    });

    it('answers history windows past the integer range (afterSeq, beforeSeq, offset) without a 5xx', async () => {
      await t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', alice.auth).send({ text: 'one' }).expect(201);
      for (const query of [
        'afterSeq=2147483648',
        'afterSeq=999999999999999',
        'beforeSeq=2147483648',
        'beforeSeq=999999999999999',
        'offset=2147483648',
        'offset=999999999999999',
        'afterSeq=2147483647&offset=2147483647',
      ]) {
        const res = await t.http().get(`/api/v1/threads/${thread}/messages/?${query}`).set('Authorization', alice.auth);
        // Past the last message there is nothing to list: an empty page, like a deep offset in any other list.
        expect({ query, status: res.status }).toEqual({ query, status: 200 });
        if (query.startsWith('beforeSeq')) expect(res.body.results.map((m: { text: string }) => m.text)).toContain('one');
        else expect(res.body.results ?? []).toEqual([]);
      }
    });
  });

  it('still answers normally after everything above', async () => {
    await expectServerStillAnswers();
    const res = await t.http().post('/api/token/').send({ username: 'pi_bob', password: 'password' }).expect(200);
    await request(t.baseUrl).get('/api/v1/threads/').set('Authorization', `Bearer ${res.body.access}`).expect(200);
    expect(figures.fiveHundreds).toBe(0);
  });
});
