import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { multipart, URLENCODED, type FilePart, type FormPairs } from '../support/forms.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Bad input, end to end: every malformed, oversized, mistyped or unexpected request is refused with a 4xx in the
 * contract's one error shape, and never a 5xx. Well-formed but unusual text (SQL, HTML, emoji, RTL) is stored
 * and returned byte for byte.
 */

interface Ctx {
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  dave: TestUser;
  /** Direct thread alice–bob. */
  direct: number;
  /** Group owned by alice with bob and carol. */
  group: number;
  /** A message alice sent in the direct thread. */
  messageId: number;
  /** An unused refresh token of alice's. */
  refresh: string;
}

type Resolvable<T> = T | ((c: Ctx) => T);

interface BadCase {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: Resolvable<string>;
  /** Extra request headers; a raw body is sent as application/json unless Content-Type is given here. */
  headers?: Record<string, string>;
  /** A raw body, sent byte for byte. */
  raw?: string | Buffer;
  /** A JSON body (serialised by supertest). */
  json?: Resolvable<unknown>;
  /** An application/x-www-form-urlencoded body, written as given (escapes included). */
  form?: Resolvable<string>;
  /** A multipart/form-data body of these fields (and files). */
  multipart?: Resolvable<{ fields: FormPairs; files?: FilePart[] }>;
  /** Send no Authorization header (public routes). */
  anonymous?: boolean;
  /** Act as this user instead of alice. */
  as?: 'bob' | 'dave';
  status: number;
  code?: string;
}

/** Asserts the status is one of `allowed`; a failure shows the whole answer. */
const expectStatusIn = (res: { status: number; body: unknown }, allowed: number[]): void => {
  expect({ status: res.status, allowed: allowed.includes(res.status), body: res.body }).toMatchObject({ allowed: true });
};

const resolve = <T>(value: Resolvable<T>, c: Ctx): T => (typeof value === 'function' ? (value as (c: Ctx) => T)(c) : value);

const MSG = (c: Ctx): string => `/api/v1/threads/${c.direct}/messages/`;
const EDIT = (c: Ctx): string => `/api/v1/messages/${c.messageId}/`;
const TOKEN = '/api/token/';
const REFRESH = '/api/token/refresh/';
const SESSION = '/api/session/';
const THREADS = '/api/v1/threads/';
const GOOD_CREDENTIALS = { username: 'alice', password: 'password' };
const KIB = 1024;

const cases: BadCase[] = [
  // ── Malformed JSON ────────────────────────────────────────────────────────────────────────────────
  { name: 'malformed JSON: lone brace (token)', method: 'post', path: TOKEN, anonymous: true, raw: '{', status: 400, code: 'malformed_json' },
  {
    name: 'malformed JSON: trailing comma (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    raw: '{"username":"alice","password":"password",}',
    status: 400,
  },
  {
    name: 'malformed JSON: single quotes (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    raw: "{'username':'alice','password':'password'}",
    status: 400,
  },
  {
    name: 'malformed JSON: unquoted keys (session)',
    method: 'post',
    path: SESSION,
    anonymous: true,
    raw: '{username:"alice",password:"password"}',
    status: 400,
  },
  { name: 'malformed JSON: unterminated string (send message)', method: 'post', path: MSG, raw: '{"text":"hi', status: 400 },
  { name: 'malformed JSON: trailing garbage (send message)', method: 'post', path: MSG, raw: '{"text":"hi"} extra', status: 400 },
  { name: 'malformed JSON: NaN literal (create thread)', method: 'post', path: THREADS, raw: '{"participants":[NaN]}', status: 400 },
  { name: 'malformed JSON: comment (refresh)', method: 'post', path: REFRESH, anonymous: true, raw: '{"refresh":"x" /* c */}', status: 400 },
  { name: 'malformed JSON: bare word (thread read)', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, raw: 'undefined', status: 400 },

  // ── JSON that is not an object ───────────────────────────────────────────────────────────────────
  {
    name: 'non-object JSON: array of credentials (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    raw: '[{"username":"alice","password":"password"}]',
    status: 400,
  },
  { name: 'non-object JSON: empty array (token)', method: 'post', path: TOKEN, anonymous: true, raw: '[]', status: 400 },
  { name: 'non-object JSON: string (token)', method: 'post', path: TOKEN, anonymous: true, raw: '"alice"', status: 400 },
  { name: 'non-object JSON: number (refresh)', method: 'post', path: REFRESH, anonymous: true, raw: '42', status: 400 },
  { name: 'non-object JSON: null (session)', method: 'post', path: SESSION, anonymous: true, raw: 'null', status: 400 },
  { name: 'non-object JSON: array of one object (send message)', method: 'post', path: MSG, raw: '[{"text":"hi"}]', status: 400 },
  { name: 'non-object JSON: string (send message)', method: 'post', path: MSG, raw: '"hi"', status: 400 },
  { name: 'non-object JSON: true (send message)', method: 'post', path: MSG, raw: 'true', status: 400 },
  { name: 'non-object JSON: array of ids (create thread)', method: 'post', path: THREADS, json: (c: Ctx) => [c.bob.id], status: 400 },
  { name: 'non-object JSON: number (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, raw: '7', status: 400 },
  {
    name: 'non-object JSON: array (thread read)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.direct}/read/`,
    json: (c: Ctx) => [{ messageId: c.messageId }],
    status: 400,
  },

  // ── Body size, content type, encoding ─────────────────────────────────────────────────────────────
  { name: 'body of 65 KiB (send message) → 413', method: 'post', path: MSG, raw: `{"text":"${'a'.repeat(65 * KIB)}"}`, status: 413, code: 'payload_too_large' },
  {
    name: 'body of 64 KiB + 1 byte (send message) → 413',
    method: 'post',
    path: MSG,
    raw: `{"text":"${'a'.repeat(64 * KIB + 1 - '{"text":""}'.length)}"}`,
    status: 413,
  },
  {
    name: 'body of 100 KiB, unauthenticated (token) → 413',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    raw: `{"username":"alice","password":"${'p'.repeat(100 * KIB)}"}`,
    status: 413,
  },
  { name: 'body of 60 KiB is parsed: text too long → 400, not 413', method: 'post', path: MSG, raw: `{"text":"${'a'.repeat(60 * KIB)}"}`, status: 400 },
  {
    name: 'unsupported charset (send message) → 415',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': 'application/json; charset=x-unknown' },
    raw: '{"text":"hi"}',
    status: 415,
  },
  {
    name: 'unsupported content encoding (send message) → 415',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'x-unknown' },
    raw: '{"text":"hi"}',
    status: 415,
  },
  {
    name: 'text/plain body is not JSON (send message) → 400',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': 'text/plain' },
    raw: '{"text":"hi"}',
    status: 400,
  },
  { name: 'no body at all (send message) → 400', method: 'post', path: MSG, status: 400 },

  // ── Form bodies: the same limits, rules and codes as JSON ─────────────────────────────────────────
  {
    name: 'form: body of 65 KiB (send message) → 413',
    method: 'post',
    path: MSG,
    form: `text=${'a'.repeat(65 * KIB)}`,
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'form: body of 100 KiB, unauthenticated (token) → 413',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    form: `username=alice&password=${'p'.repeat(100 * KIB)}`,
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'multipart: body of 65 KiB (send message) → 413',
    method: 'post',
    path: MSG,
    multipart: { fields: [['text', 'a'.repeat(65 * KIB)]] },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'form: a "%" that starts no escape (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    form: 'username=alice&password=100%',
    status: 400,
    code: 'malformed_form',
  },
  { name: 'form: escape of non-hex digits (send message)', method: 'post', path: MSG, form: 'text=%zz', status: 400, code: 'malformed_form' },
  { name: 'form: escaped bytes that are not UTF-8 (send message)', method: 'post', path: MSG, form: 'text=caf%E9', status: 400, code: 'invalid_utf8' },
  { name: 'form: an escaped lone surrogate (send message)', method: 'post', path: MSG, form: 'text=%ED%A0%80', status: 400, code: 'invalid_utf8' },
  {
    name: 'form: raw bytes that are not UTF-8 (send message)',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': URLENCODED },
    raw: Buffer.from([...Buffer.from('text=caf'), 0xe9]),
    status: 400,
    code: 'invalid_utf8',
  },
  { name: 'form: NUL in a field (send message)', method: 'post', path: MSG, form: 'text=a%00b', status: 400, code: 'nul_character' },
  {
    name: 'form: NUL in a field name (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    form: 'username=alice&password=password&x%00=1',
    status: 400,
    code: 'nul_character',
  },
  { name: 'form: unknown field (send message)', method: 'post', path: MSG, form: 'text=hi&threadId=1', status: 400, code: 'validation_failed' },
  {
    name: 'form: a nested name is just an unknown name (send message)',
    method: 'post',
    path: MSG,
    form: 'text%5Bvalue%5D=hi',
    status: 400,
    code: 'validation_failed',
  },
  { name: 'form: text given twice (send message)', method: 'post', path: MSG, form: 'text=a&text=b', status: 400, code: 'validation_failed' },
  { name: 'form: empty body (send message)', method: 'post', path: MSG, form: '', status: 400, code: 'validation_failed' },
  {
    name: 'form: charset other than UTF-8 (send message) → 415',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': `${URLENCODED}; charset=iso-8859-1` },
    raw: 'text=hi',
    status: 415,
    code: 'unsupported_charset',
  },
  {
    name: 'form: userId "3x" is not 3 (add participant)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    form: 'userId=3x',
    status: 400,
  },
  { name: 'form: userId " 3" (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, form: 'userId=+3', status: 400 },
  { name: 'form: userId "0x10" (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, form: 'userId=0x10', status: 400 },
  { name: 'form: userId "1.5" (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, form: 'userId=1.5', status: 400 },
  { name: 'form: userId empty (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, form: 'userId=', status: 400 },
  {
    name: 'form: userId given twice (add participant)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    form: 'userId=2&userId=3',
    status: 400,
  },
  {
    name: 'form: userId 2^31 (add participant)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    form: 'userId=2147483648',
    status: 400,
  },
  { name: 'form: participants "abc" (create thread)', method: 'post', path: THREADS, form: 'participants=abc', status: 400 },
  { name: 'form: participants 0 (create thread)', method: 'post', path: THREADS, form: 'participants=0', status: 400 },
  { name: 'form: participants 1e400 (create thread)', method: 'post', path: THREADS, form: 'participants=1e400', status: 400 },
  {
    name: 'form: participants one good, one "2x" (create thread)',
    method: 'post',
    path: THREADS,
    form: (c: Ctx) => `participants=${c.bob.id}&participants=2x`,
    status: 400,
  },
  {
    name: 'form: participants with the index style of other clients (create thread)',
    method: 'post',
    path: THREADS,
    form: 'participants%5B0%5D=2',
    status: 400,
  },
  { name: 'form: messageId "3x" (thread read)', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, form: 'messageId=3x', status: 400 },
  {
    name: 'multipart: a file part (send message)',
    method: 'post',
    path: MSG,
    multipart: { fields: [['text', 'hi']], files: [{ name: 'attachment', filename: 'a.txt', content: 'abc' }] },
    status: 400,
    code: 'file_not_accepted',
  },
  {
    name: 'multipart: no boundary (send message)',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': 'multipart/form-data' },
    raw: 'text=hi',
    status: 400,
    code: 'malformed_form',
  },
  {
    name: 'multipart: cut short (token)',
    method: 'post',
    path: TOKEN,
    anonymous: true,
    headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' },
    raw: '--XyZ\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice',
    status: 400,
    code: 'malformed_form',
  },
  {
    name: 'multipart: bytes that are not UTF-8 (send message)',
    method: 'post',
    path: MSG,
    headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' },
    raw: Buffer.concat([Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="text"\r\n\r\ncaf'), Buffer.from([0xe9]), Buffer.from('\r\n--XyZ--\r\n')]),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    name: 'multipart: NUL in a field (send message)',
    method: 'post',
    path: MSG,
    multipart: { fields: [['text', 'a\u0000b']] },
    status: 400,
    code: 'nul_character',
  },
  {
    name: 'multipart: unknown field (refresh)',
    method: 'post',
    path: REFRESH,
    anonymous: true,
    multipart: (c: Ctx) => ({
      fields: [
        ['refresh', c.refresh],
        ['access', 'x'],
      ],
    }),
    status: 400,
  },
  {
    name: 'multipart: messageId "3x" (thread read)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.direct}/read/`,
    multipart: { fields: [['messageId', '3x']] },
    status: 400,
  },
  { name: 'multipart: participants "2x" (create thread)', method: 'post', path: THREADS, multipart: { fields: [['participants', '2x']] }, status: 400 },

  // ── Unknown fields, one per body DTO ──────────────────────────────────────────────────────────────
  { name: 'unknown field (token)', method: 'post', path: TOKEN, anonymous: true, json: { ...GOOD_CREDENTIALS, remember: true }, status: 400 },
  { name: 'unknown field (refresh)', method: 'post', path: REFRESH, anonymous: true, json: (c: Ctx) => ({ refresh: c.refresh, access: 'x' }), status: 400 },
  { name: 'unknown field (session)', method: 'post', path: SESSION, anonymous: true, json: { ...GOOD_CREDENTIALS, isStaff: true }, status: 400 },
  { name: 'unknown field (create thread)', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.dave.id], ownerId: c.dave.id }), status: 400 },
  {
    name: 'unknown field (add participant)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    json: (c: Ctx) => ({ userId: c.dave.id, role: 'owner' }),
    status: 400,
  },
  { name: 'unknown field (send message)', method: 'post', path: MSG, json: (c: Ctx) => ({ text: 'hi', threadId: c.group }), status: 400 },
  {
    name: 'unknown field (thread read)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.direct}/read/`,
    json: (c: Ctx) => ({ messageId: c.messageId, all: true }),
    status: 400,
  },
  { name: 'unknown snake_case field (send message)', method: 'post', path: MSG, json: { text: 'hi', client_message_id: 'abc' }, status: 400 },

  // ── Missing required fields ───────────────────────────────────────────────────────────────────────
  { name: 'missing password (token)', method: 'post', path: TOKEN, anonymous: true, json: { username: 'alice' }, status: 400 },
  { name: 'empty object (token)', method: 'post', path: TOKEN, anonymous: true, json: {}, status: 400 },
  { name: 'empty username (session)', method: 'post', path: SESSION, anonymous: true, json: { username: '', password: 'password' }, status: 400 },
  { name: 'missing refresh (refresh)', method: 'post', path: REFRESH, anonymous: true, json: {}, status: 400 },
  { name: 'refresh as number (refresh)', method: 'post', path: REFRESH, anonymous: true, json: { refresh: 12345 }, status: 400 },
  { name: 'password as object (token)', method: 'post', path: TOKEN, anonymous: true, json: { username: 'alice', password: { $ne: null } }, status: 400 },
  { name: 'username as array (token)', method: 'post', path: TOKEN, anonymous: true, json: { username: ['alice'], password: 'password' }, status: 400 },
  { name: 'missing participants (create thread)', method: 'post', path: THREADS, json: { type: 'direct' }, status: 400 },
  { name: 'missing userId (add participant)', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: {}, status: 400 },
  { name: 'missing text (send message)', method: 'post', path: MSG, json: { clientMessageId: 'missing-text' }, status: 400 },

  // ── Message text ──────────────────────────────────────────────────────────────────────────────────
  { name: 'text empty', method: 'post', path: MSG, json: { text: '' }, status: 400 },
  { name: 'text whitespace only', method: 'post', path: MSG, json: { text: '  \n\t \r\n ' }, status: 400 },
  { name: 'text null', method: 'post', path: MSG, json: { text: null }, status: 400 },
  { name: 'text as number', method: 'post', path: MSG, json: { text: 42 }, status: 400 },
  { name: 'text as array', method: 'post', path: MSG, json: { text: ['hi'] }, status: 400 },
  { name: 'text as object', method: 'post', path: MSG, json: { text: { value: 'hi' } }, status: 400 },
  { name: 'text as boolean', method: 'post', path: MSG, json: { text: true }, status: 400 },
  { name: 'text of 4001 characters', method: 'post', path: MSG, json: { text: 'x'.repeat(4001) }, status: 400, code: 'validation_failed' },
  {
    name: 'text of 4001 characters (group thread)',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/messages/`,
    json: { text: 'y'.repeat(4001) },
    status: 400,
  },

  // ── clientMessageId ───────────────────────────────────────────────────────────────────────────────
  { name: 'clientMessageId empty', method: 'post', path: MSG, json: { text: 'hi', clientMessageId: '' }, status: 400 },
  { name: 'clientMessageId of 65 characters', method: 'post', path: MSG, json: { text: 'hi', clientMessageId: 'c'.repeat(65) }, status: 400 },
  { name: 'clientMessageId as number', method: 'post', path: MSG, json: { text: 'hi', clientMessageId: 12345 }, status: 400 },
  { name: 'clientMessageId as object', method: 'post', path: MSG, json: { text: 'hi', clientMessageId: { id: 'x' } }, status: 400 },

  // ── Create thread: participants, type, title ──────────────────────────────────────────────────────
  { name: 'participants as string', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: String(c.bob.id) }), status: 400 },
  { name: 'participants as array of strings', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [String(c.dave.id)] }), status: 400 },
  { name: 'participants as number', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: c.dave.id }), status: 400 },
  { name: 'participants empty', method: 'post', path: THREADS, json: { participants: [] }, status: 400 },
  { name: 'participants with 0', method: 'post', path: THREADS, json: { participants: [0] }, status: 400 },
  { name: 'participants with -1', method: 'post', path: THREADS, json: { participants: [-1] }, status: 400 },
  { name: 'participants with 1.5', method: 'post', path: THREADS, json: { participants: [1.5] }, status: 400 },
  { name: 'participants with 2^31', method: 'post', path: THREADS, json: { participants: [2 ** 31] }, status: 400 },
  { name: 'participants with 1e20', method: 'post', path: THREADS, raw: '{"participants":[1e20]}', status: 400 },
  { name: 'participants with a number too large for a double (1e400)', method: 'post', path: THREADS, raw: '{"participants":[1e400]}', status: 400 },
  { name: 'participants with 2^53+1 digits', method: 'post', path: THREADS, raw: '{"participants":[9007199254740993]}', status: 400 },
  { name: 'participants with null', method: 'post', path: THREADS, json: { participants: [null] }, status: 400 },
  { name: 'participants with a nested array', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [[c.dave.id]] }), status: 400 },
  { name: 'participants: unknown user id → 400', method: 'post', path: THREADS, json: { participants: [2_000_000_000] }, status: 400, code: 'unknown_users' },
  { name: 'participants: only the caller → 400', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.alice.id] }), status: 400 },
  { name: 'participants: 1001 ids → 400', method: 'post', path: THREADS, json: { participants: Array.from({ length: 1001 }, (_, i) => i + 1) }, status: 400 },
  { name: 'type not direct/group', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.dave.id], type: 'channel' }), status: 400 },
  { name: 'type as number', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.dave.id], type: 1 }), status: 400 },
  { name: 'type in another case', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.dave.id], type: 'DIRECT' }), status: 400 },
  {
    name: 'direct with three participants',
    method: 'post',
    path: THREADS,
    json: (c: Ctx) => ({ participants: [c.bob.id, c.dave.id], type: 'direct' }),
    status: 400,
  },
  {
    name: 'group with a whitespace-only title',
    method: 'post',
    path: THREADS,
    json: (c: Ctx) => ({ participants: [c.bob.id, c.dave.id], title: '   ' }),
    status: 400,
    code: 'blank_title',
  },
  {
    name: 'title of 201 characters',
    method: 'post',
    path: THREADS,
    json: (c: Ctx) => ({ participants: [c.bob.id, c.dave.id], title: 't'.repeat(201) }),
    status: 400,
  },
  { name: 'title as number', method: 'post', path: THREADS, json: (c: Ctx) => ({ participants: [c.bob.id, c.dave.id], title: 7 }), status: 400 },

  // ── Add participant: userId ───────────────────────────────────────────────────────────────────────
  { name: 'userId as non-numeric string', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: 'abc' }, status: 400 },
  {
    name: 'userId as numeric string',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    json: (c: Ctx) => ({ userId: String(c.dave.id) }),
    status: 400,
  },
  { name: 'userId as boolean', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: true }, status: 400 },
  {
    name: 'userId as array',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.group}/participants/`,
    json: (c: Ctx) => ({ userId: [c.dave.id] }),
    status: 400,
  },
  { name: 'userId 0', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: 0 }, status: 400 },
  { name: 'userId -1', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: -1 }, status: 400 },
  { name: 'userId 1.5', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: 1.5 }, status: 400 },
  { name: 'userId 2^31', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: 2 ** 31 }, status: 400 },
  { name: 'userId null', method: 'post', path: (c) => `/api/v1/threads/${c.group}/participants/`, json: { userId: null }, status: 400 },
  {
    name: 'add participant to a direct thread',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.direct}/participants/`,
    json: (c: Ctx) => ({ userId: c.dave.id }),
    status: 400,
  },

  // ── Thread read: messageId ────────────────────────────────────────────────────────────────────────
  {
    name: 'messageId as string',
    method: 'post',
    path: (c) => `/api/v1/threads/${c.direct}/read/`,
    json: (c: Ctx) => ({ messageId: String(c.messageId) }),
    status: 400,
  },
  { name: 'messageId 0', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, json: { messageId: 0 }, status: 400 },
  { name: 'messageId -1', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, json: { messageId: -1 }, status: 400 },
  { name: 'messageId 1.5', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, json: { messageId: 1.5 }, status: 400 },
  { name: 'messageId 2^31', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, json: { messageId: 2 ** 31 }, status: 400 },
  { name: 'messageId as boolean', method: 'post', path: (c) => `/api/v1/threads/${c.direct}/read/`, json: { messageId: true }, status: 400 },

  // ── Path ids ──────────────────────────────────────────────────────────────────────────────────────
  { name: "path id 'abc' (GET thread)", method: 'get', path: '/api/v1/threads/abc/', status: 400 },
  { name: "path id '0' (GET thread)", method: 'get', path: '/api/v1/threads/0/', status: 400 },
  { name: "path id '-1' (GET thread)", method: 'get', path: '/api/v1/threads/-1/', status: 400 },
  { name: "path id '1.5' (GET thread)", method: 'get', path: '/api/v1/threads/1.5/', status: 400 },
  { name: "path id '99999999999' (GET thread)", method: 'get', path: '/api/v1/threads/99999999999/', status: 400 },
  { name: "path id '1e3' (GET thread)", method: 'get', path: '/api/v1/threads/1e3/', status: 400, code: 'invalid_id' },
  { name: "path id with a leading zero '01' (GET thread)", method: 'get', path: '/api/v1/threads/01/', status: 400, code: 'invalid_id' },
  { name: "path id '2147483648' (GET thread)", method: 'get', path: '/api/v1/threads/2147483648/', status: 400 },
  { name: "path id '0x10' (DELETE thread)", method: 'delete', path: '/api/v1/threads/0x10/', status: 400 },
  // Non-canonical spellings of an existing thread's id must not address it.
  { name: "path id '<id>e0' (GET existing thread)", method: 'get', path: (c) => `/api/v1/threads/${c.direct}e0/`, status: 400 },
  { name: "path id '0x<hex id>' (GET existing thread)", method: 'get', path: (c) => `/api/v1/threads/0x${c.direct.toString(16)}/`, status: 400 },
  { name: "path id '+<id>' (GET existing thread's messages)", method: 'get', path: (c) => `/api/v1/threads/+${c.direct}/messages/`, status: 400 },
  { name: "path id '%20<id>' (GET existing thread)", method: 'get', path: (c) => `/api/v1/threads/%20${c.direct}/`, status: 400 },
  { name: "path id '-1' (DELETE thread)", method: 'delete', path: '/api/v1/threads/-1/', status: 400 },
  { name: "path id 'abc' (GET messages)", method: 'get', path: '/api/v1/threads/abc/messages/', status: 400 },
  { name: "path id '1.5' (GET messages)", method: 'get', path: '/api/v1/threads/1.5/messages/', status: 400 },
  { name: "path id '0' (POST message)", method: 'post', path: '/api/v1/threads/0/messages/', json: { text: 'hi' }, status: 400 },
  { name: "path id '1e3' (POST message)", method: 'post', path: '/api/v1/threads/1e3/messages/', json: { text: 'hi' }, status: 400 },
  { name: "path id '99999999999' (GET history alias)", method: 'get', path: '/history/99999999999', status: 400 },
  { name: "path id 'abc' (GET history alias)", method: 'get', path: '/history/abc', status: 400 },
  { name: "path id '-1' (mark message read)", method: 'post', path: '/api/v1/messages/-1/read/', status: 400 },
  { name: "path id 'abc' (mark message unread)", method: 'post', path: '/api/v1/messages/abc/unread/', status: 400 },
  { name: "path id '1.5' (mark message read)", method: 'post', path: '/api/v1/messages/1.5/read/', status: 400 },
  { name: "path id '0' (thread read)", method: 'post', path: '/api/v1/threads/0/read/', json: {}, status: 400 },
  { name: "path id '99999999999' (thread unread count)", method: 'get', path: '/api/v1/threads/99999999999/messages/unread_count/', status: 400 },
  { name: "path id 'abc' (add participant)", method: 'post', path: '/api/v1/threads/abc/participants/', json: { userId: 2 }, status: 400 },
  { name: "path userId '0' (remove participant)", method: 'delete', path: (c) => `/api/v1/threads/${c.group}/participants/0/`, status: 400 },
  { name: "path userId '1e3' (remove participant)", method: 'delete', path: (c) => `/api/v1/threads/${c.group}/participants/1e3/`, status: 400 },
  { name: 'path id with a NUL byte (GET thread)', method: 'get', path: '/api/v1/threads/1%00/', status: 400 },

  // ── Query parameters ──────────────────────────────────────────────────────────────────────────────
  { name: 'limit=-1 (messages)', method: 'get', path: (c) => `${MSG(c)}?limit=-1`, status: 400 },
  { name: 'limit=abc (messages)', method: 'get', path: (c) => `${MSG(c)}?limit=abc`, status: 400 },
  { name: 'limit=0 (messages)', method: 'get', path: (c) => `${MSG(c)}?limit=0`, status: 400 },
  { name: 'limit=1.5 (messages)', method: 'get', path: (c) => `${MSG(c)}?limit=1.5`, status: 400 },
  { name: 'limit given twice (messages)', method: 'get', path: (c) => `${MSG(c)}?limit=1&limit=2`, status: 400 },
  { name: 'offset=-1 (messages)', method: 'get', path: (c) => `${MSG(c)}?offset=-1`, status: 400 },
  { name: 'offset=x (messages)', method: 'get', path: (c) => `${MSG(c)}?offset=x`, status: 400 },
  { name: 'afterSeq=-1 (messages)', method: 'get', path: (c) => `${MSG(c)}?afterSeq=-1`, status: 400 },
  { name: 'afterSeq=abc (history alias)', method: 'get', path: (c) => `/history/${c.direct}?afterSeq=abc`, status: 400 },
  { name: 'beforeSeq=0 (messages)', method: 'get', path: (c) => `${MSG(c)}?beforeSeq=0`, status: 400 },
  { name: 'beforeSeq=-5 (messages)', method: 'get', path: (c) => `${MSG(c)}?beforeSeq=-5`, status: 400 },
  { name: 'beforeSeq with offset (messages)', method: 'get', path: (c) => `${MSG(c)}?beforeSeq=5&offset=0`, status: 400, code: 'offset_with_before_seq' },
  { name: 'unknown query parameter (messages)', method: 'get', path: (c) => `${MSG(c)}?page=2`, status: 400 },
  { name: 'limit=-1 (threads)', method: 'get', path: `${THREADS}?limit=-1`, status: 400 },
  { name: 'offset=x (threads)', method: 'get', path: `${THREADS}?offset=x`, status: 400 },
  { name: 'unknown query parameter (threads)', method: 'get', path: `${THREADS}?sort=desc`, status: 400 },
  { name: 'limit=abc (users)', method: 'get', path: '/api/v1/users/?limit=abc', status: 400 },
  { name: 'unknown query parameter (users)', method: 'get', path: '/api/v1/users/?q=alice', status: 400 },
  { name: 'search longer than the longest username, 151 characters (users)', method: 'get', path: `/api/v1/users/?search=${'s'.repeat(151)}`, status: 400 },
  { name: 'no q (message search)', method: 'get', path: '/api/v1/messages/search/', status: 400, code: 'validation_failed' },
  { name: 'q of spaces only (message search)', method: 'get', path: '/api/v1/messages/search/?q=%20%20', status: 400, code: 'validation_failed' },
  {
    name: 'q of 201 characters (message search)',
    method: 'get',
    path: `/api/v1/messages/search/?q=${'q'.repeat(201)}`,
    status: 400,
    code: 'validation_failed',
  },
  { name: 'q with a NUL (message search)', method: 'get', path: '/api/v1/messages/search/?q=a%00b', status: 400, code: 'nul_character' },
  { name: 'q twice (message search)', method: 'get', path: '/api/v1/messages/search/?q=a&q=b', status: 400, code: 'validation_failed' },
  { name: 'threadId=1e3 (message search)', method: 'get', path: '/api/v1/messages/search/?q=a&threadId=1e3', status: 400, code: 'validation_failed' },
  { name: 'unknown query parameter (message search)', method: 'get', path: '/api/v1/messages/search/?q=a&sort=old', status: 400, code: 'validation_failed' },

  // ── Edit and delete a message (alice's, in the direct thread) ─────────────────────────────────────
  { name: 'edit: text empty', method: 'patch', path: EDIT, json: { text: '' }, status: 400, code: 'validation_failed' },
  { name: 'edit: text whitespace only', method: 'patch', path: EDIT, json: { text: ' \n\t ' }, status: 400, code: 'validation_failed' },
  { name: 'edit: text missing', method: 'patch', path: EDIT, json: {}, status: 400, code: 'validation_failed' },
  { name: 'edit: text null', method: 'patch', path: EDIT, json: { text: null }, status: 400 },
  { name: 'edit: text as number', method: 'patch', path: EDIT, json: { text: 42 }, status: 400 },
  { name: 'edit: text of 4001 characters', method: 'patch', path: EDIT, json: { text: 'x'.repeat(4001) }, status: 400, code: 'validation_failed' },
  { name: 'edit: text with a NUL', method: 'patch', path: EDIT, raw: '{"text":"a\\u0000b"}', status: 400, code: 'nul_character' },
  { name: 'edit: unknown field', method: 'patch', path: EDIT, json: { text: 'ok', seq: 1 }, status: 400, code: 'validation_failed' },
  { name: 'edit: clientMessageId is not editable', method: 'patch', path: EDIT, json: { text: 'ok', clientMessageId: 'x' }, status: 400 },
  { name: 'edit: malformed JSON', method: 'patch', path: EDIT, raw: '{"text":', status: 400, code: 'malformed_json' },
  { name: 'edit: id abc', method: 'patch', path: '/api/v1/messages/abc/', json: { text: 'ok' }, status: 400 },
  { name: 'edit: id 0', method: 'patch', path: '/api/v1/messages/0/', json: { text: 'ok' }, status: 400 },
  { name: 'edit: id 2^31', method: 'patch', path: `/api/v1/messages/${2 ** 31}/`, json: { text: 'ok' }, status: 400 },
  {
    name: "edit: someone else's message (a participant)",
    method: 'patch',
    path: EDIT,
    as: 'bob',
    json: { text: 'hijacked' },
    status: 403,
    code: 'not_message_sender',
  },
  {
    name: "edit: a message of someone else's thread",
    method: 'patch',
    path: EDIT,
    as: 'dave',
    json: { text: 'hijacked' },
    status: 404,
    code: 'message_not_found',
  },
  { name: 'delete: id -1', method: 'delete', path: '/api/v1/messages/-1/', status: 400 },
  { name: 'delete: id 1.5', method: 'delete', path: '/api/v1/messages/1.5/', status: 400 },
  { name: "delete: someone else's message (a participant)", method: 'delete', path: EDIT, as: 'bob', status: 403, code: 'not_message_sender' },
  { name: "delete: a message of someone else's thread", method: 'delete', path: EDIT, as: 'dave', status: 404, code: 'message_not_found' },
];

describe('bad input', () => {
  let t: TestApp;
  let c: Ctx;

  const send = async (
    method: BadCase['method'],
    path: string,
    options: { auth?: string; headers?: Record<string, string>; raw?: string | Buffer; json?: unknown; form?: string; multipart?: BadCase['multipart'] },
  ) => {
    let req = t.http()[method](path);
    if (options.auth) req = req.set('Authorization', options.auth);
    for (const [name, value] of Object.entries(options.headers ?? {})) req = req.set(name, value);
    if (options.form !== undefined) return req.set('Content-Type', URLENCODED).send(options.form);
    if (options.multipart !== undefined) {
      const { fields, files } = resolve(options.multipart, c);
      const { contentType, body } = multipart(fields, files);
      return req.set('Content-Type', contentType).send(body);
    }
    if (options.raw !== undefined) {
      if (!Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === 'content-type')) req = req.set('Content-Type', 'application/json');
      // Bytes as they are: superagent would otherwise serialise a Buffer for a form or JSON content type.
      if (Buffer.isBuffer(options.raw)) req = req.serialize((body: unknown) => body as string);
      return req.send(options.raw);
    }
    if (options.json !== undefined) return req.send(options.json as object);
    return req;
  };

  const postMessage = (text: string, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post(MSG(c))
      .set('Authorization', c.alice.auth)
      .send({ text, ...extra });

  /** The text of the message with that seq in the direct thread, as a GET of the history shows it. */
  const fetchText = async (seq: number): Promise<string> => {
    const res = await t
      .http()
      .get(`${MSG(c)}?afterSeq=${seq - 1}&limit=1`)
      .set('Authorization', c.bob.auth)
      .expect(200);
    const [message] = (res.body as { results: { seq: number; text: string }[] }).results;
    expect(message?.seq).toBe(seq);
    return message?.text;
  };

  beforeAll(async () => {
    t = await startTestApp();
    // One request at a time throughout: this file is about input handling, not concurrency.
    const alice = await t.createUser('alice');
    const bob = await t.createUser('bob');
    const carol = await t.createUser('carol');
    const dave = await t.createUser('dave');
    const direct = (
      await t
        .http()
        .post(THREADS)
        .set('Authorization', alice.auth)
        .send({ participants: [bob.id] })
        .expect(201)
    ).body as { id: number };
    const group = (
      await t
        .http()
        .post(THREADS)
        .set('Authorization', alice.auth)
        .send({ participants: [bob.id, carol.id], title: 'Group' })
        .expect(201)
    ).body as { id: number };
    const message = (await t.http().post(`/api/v1/threads/${direct.id}/messages/`).set('Authorization', alice.auth).send({ text: 'first' }).expect(201))
      .body as { id: number };
    const pair = (await t.http().post(TOKEN).send(GOOD_CREDENTIALS).expect(200)).body as { refresh: string };
    c = { alice, bob, carol, dave, direct: direct.id, group: group.id, messageId: message.id, refresh: pair.refresh };
  });
  afterAll(() => t?.close());

  it('has a table of at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((k) => k.name)).size).toBe(cases.length);
  });

  describe('is refused with a 4xx in the contract error shape', () => {
    it.each(cases)('$method $name → $status', async (k) => {
      const res = await send(k.method, resolve(k.path, c), {
        auth: k.anonymous ? undefined : c[k.as ?? 'alice'].auth,
        headers: k.headers,
        raw: k.raw,
        json: k.json === undefined ? undefined : resolve(k.json, c),
        form: k.form === undefined ? undefined : resolve(k.form, c),
        multipart: k.multipart,
      });
      const body = res.body as Record<string, unknown>;
      // One assertion carrying the whole answer, so a failure shows what the server said.
      expect({ status: res.status, body }).toMatchObject({ status: k.status, body: { statusCode: k.status } });
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(typeof body.error).toBe('string');
      expect((body.error as string).length).toBeGreaterThan(0);
      const message = body.message;
      if (Array.isArray(message)) {
        expect(message.length).toBeGreaterThan(0);
        for (const part of message) {
          expect(typeof part).toBe('string');
          expect((part as string).length).toBeGreaterThan(0);
        }
      } else {
        expect(typeof message).toBe('string');
        expect((message as string).length).toBeGreaterThan(0);
      }
      // Every refusal names itself with a code a client can switch on.
      expect(typeof body.code).toBe('string');
      expect(body.code).toMatch(/^[a-z0-9_]+$/);
      if (k.code) expect(body.code).toBe(k.code);
    });
  });

  describe('message text limits', () => {
    it('accepts exactly 4000 characters, and 4000 after trimming surrounding whitespace', async () => {
      const text = 'z'.repeat(4000);
      const res = await postMessage(text).expect(201);
      expect(res.body.text).toBe(text);
      expect(await fetchText(res.body.seq as number)).toBe(text);

      const padded = await postMessage(`  \n${text}\t `).expect(201);
      expect(padded.body.text).toBe(text);
    });

    it('counts characters, not UTF-16 code units: 4000 astral emoji are accepted and round-trip', async () => {
      const text = '😀'.repeat(4000);
      const res = await postMessage(text);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { text } });
      expect(await fetchText(res.body.seq as number)).toBe(text);
    });

    it.each([
      ['3999 letters and a red heart', `${'a'.repeat(3999)}❤️`],
      ['2001 red hearts', '❤️'.repeat(2001)],
    ])('answers text with emoji variation selectors at the limit (%s) with 201 or a clear 400, never a 500', async (_label, text) => {
      // "❤️" is U+2764 U+FE0F: two characters to PostgreSQL, one to the validator.
      const res = await postMessage(text);
      expectStatusIn(res, [201, 400]);
      if (res.status === 201) {
        expect(await fetchText(res.body.seq as number)).toBe(text);
      } else {
        expect(res.body).toMatchObject({ statusCode: 400, error: expect.any(String), message: expect.anything() });
      }
    });
  });

  describe('unusual but valid text is stored and returned byte for byte', () => {
    const texts: [string, string][] = [
      ['SQL: drop table', "'; DROP TABLE messages; --"],
      ['SQL: tautology', `" OR 1=1 -- ' OR '1'='1`],
      ['SQL: bobby tables', "Robert'); DROP TABLE students;--"],
      ['SQL: placeholders and casts', "$1 $2 ::text %s %d ? :name E'\\x00'"],
      ['SQL: LIKE wildcards and backslashes', '100% _under_ \\n \\\\ \\%'],
      ['HTML: script tag', '<script>alert("x")</script>'],
      ['HTML: attribute injection', '<img src=x onerror="alert(1)"> & &amp; &lt;b&gt;'],
      ['template syntax', '{{7*7}} ${7*7} <%= 7*7 %> #{7*7}'],
      ['JSON-looking text', '{"text": "nested", "__proto__": {"admin": true}}'],
      ['emoji with ZWJ and skin tones', '👋🏽 family: 👨‍👩‍👧‍👦 flag: 🇳🇿 heart: ❤️'],
      ['RTL Arabic and Hebrew with marks', 'مرحبا بالعالم \u200F שלום עולם \u202Eabc\u202C'],
      ['combining characters and CJK', 'e\u0301 n\u0303 Z\u0351\u0362a\u0336l\u0337g\u0335o 你好 こんにちは 안녕하세요'],
      ['inner newlines and tabs', 'line one\nline two\r\n\tindented'],
      ['lone astral symbol and math', '𝕏 ∑ √ ∞ ≠ 𝄞'],
      ['other control characters', 'bell\u0007 esc\u001b[31m del\u007f'],
    ];

    it.each(texts)('%s', async (_label, text) => {
      const res = await postMessage(text);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { text } });
      expect(await fetchText(res.body.seq as number)).toBe(text);
    });

    it('refuses text with a NUL byte (PostgreSQL text cannot hold one) with a clear 400', async () => {
      const res = await postMessage('before\u0000after');
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 400, body: { code: 'nul_character' } });
    });

    it('keeps a clientMessageId with SQL and HTML in it byte for byte', async () => {
      const clientMessageId = `'; DELETE FROM messages; -- <b>`;
      const first = await postMessage('with odd client id', { clientMessageId }).expect(201);
      expect(first.body.clientMessageId).toBe(clientMessageId);
      const retry = await postMessage('with odd client id', { clientMessageId }).expect(200);
      expect(retry.body.id).toBe(first.body.id);
    });

    it('answers a clientMessageId with a NUL byte with 201 (kept as sent) or a clear 400, never a 500', async () => {
      const res = await postMessage('nul client id', { clientMessageId: 'id\u0000x' });
      expectStatusIn(res, [201, 400]);
      if (res.status === 201) expect(res.body.clientMessageId).toBe('id\u0000x');
    });

    it('answers a NUL byte in a username like any wrong credentials (401) or a clear 400, never a 500', async () => {
      const res = await t.http().post(TOKEN).send({ username: 'ali\u0000ce', password: 'password' });
      expectStatusIn(res, [400, 401]);
    });

    it('answers a NUL byte in a user search with 200 (no match) or a clear 400, never a 500', async () => {
      const res = await t.http().get('/api/v1/users/?search=a%00b').set('Authorization', c.alice.auth);
      expectStatusIn(res, [200, 400]);
      if (res.status === 200) expect(res.body.results).toEqual([]);
    });
  });

  describe('oversized limits are clamped to 200', () => {
    const TOTAL = 205;
    let thread: number;

    beforeAll(async () => {
      const created = await t
        .http()
        .post(THREADS)
        .set('Authorization', c.carol.auth)
        .send({ participants: [c.dave.id] })
        .expect(201);
      thread = (created.body as { id: number }).id;
      for (let i = 1; i <= TOTAL; i += 1) {
        await t
          .http()
          .post(`/api/v1/threads/${thread}/messages/`)
          .set('Authorization', c.carol.auth)
          .send({ text: `m${i}` })
          .expect(201);
      }
    });

    it.each([`/api/v1/threads/:t/messages/`, `/history/:t`])('GET %s?limit=1000 answers 200 pages of 200', async (template) => {
      const path = template.replace(':t', String(thread));
      const first = await t.http().get(`${path}?limit=1000`).set('Authorization', c.dave.auth).expect(200);
      const page = first.body as { count: number; next: string | null; previous: string | null; results: { seq: number }[] };
      expect(page.count).toBe(TOTAL);
      expect(page.results).toHaveLength(200);
      expect(page.results.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(page.previous).toBeNull();
      expect(page.next).not.toBeNull();
      const next = new URL(page.next as string);
      expect(next.searchParams.get('limit')).toBe('200');
      expect(next.searchParams.get('offset')).toBe('200');

      const second = await t.http().get(`${next.pathname}${next.search}`).set('Authorization', c.dave.auth).expect(200);
      const rest = second.body as { next: string | null; results: { seq: number }[] };
      expect(rest.results.map((m) => m.seq)).toEqual([201, 202, 203, 204, 205]);
      expect(rest.next).toBeNull();
    });

    it('clamps beforeSeq pages too', async () => {
      const res = await t
        .http()
        .get(`/api/v1/threads/${thread}/messages/?beforeSeq=${TOTAL + 1}&limit=1000`)
        .set('Authorization', c.dave.auth)
        .expect(200);
      const page = res.body as { next: string | null; results: { seq: number }[] };
      expect(page.results).toHaveLength(200);
      expect(page.results[0]?.seq).toBe(TOTAL - 199);
      expect(page.results[199]?.seq).toBe(TOTAL);
      expect(new URL(page.next as string).searchParams.get('limit')).toBe('200');
    });

    it('clamps the thread and user lists', async () => {
      const threads = await t.http().get(`${THREADS}?limit=1000`).set('Authorization', c.carol.auth).expect(200);
      expect(threads.body.results.length).toBeGreaterThan(0);
      expect(threads.body.results.length).toBeLessThanOrEqual(200);
      expect(threads.body.next).toBeNull();
      const users = await t.http().get('/api/v1/users/?limit=1000&offset=1').set('Authorization', c.carol.auth).expect(200);
      expect(users.body.count).toBe(3);
      expect(users.body.results).toHaveLength(2);
      expect(new URL(users.body.previous as string).searchParams.get('limit')).toBe('200');
    });
  });

  it('still serves afterwards, and nothing the bad requests named was created or changed', async () => {
    await t.http().get('/health/live').expect(200);
    const threads = await t.http().get(THREADS).set('Authorization', c.alice.auth).expect(200);
    // Only the two threads from the setup: no bad create slipped through.
    expect((threads.body.results as { id: number }[]).map((thread) => thread.id).sort((a, b) => a - b)).toEqual([c.direct, c.group].sort((a, b) => a - b));
    const group = await t.http().get(`${THREADS}${c.group}/`).set('Authorization', c.alice.auth).expect(200);
    // dave was never added by a request with an unknown field or a mistyped userId.
    expect((group.body.participants as { id: number }[]).map((p) => p.id).sort((a, b) => a - b)).toEqual(
      [c.alice.id, c.bob.id, c.carol.id].sort((a, b) => a - b),
    );
    // The message the refused edits and deletes named is as it was sent.
    expect(
      (
        await t
          .http()
          .get(`${MSG(c)}?limit=1`)
          .set('Authorization', c.alice.auth)
          .expect(200)
      ).body.results[0],
    ).toMatchObject({
      id: c.messageId,
      text: 'first',
      editedAt: null,
      deletedAt: null,
    });
    // The refresh token used only in the request with an unknown field is still unspent.
    await t.http().post(REFRESH).send({ refresh: c.refresh }).expect(200);
  });
});
