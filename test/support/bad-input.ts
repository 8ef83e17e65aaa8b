import * as fc from 'fast-check';
import { multipart, urlencoded, URLENCODED, type FormPairs } from './forms.js';

/**
 * fast-check generators of bad (and merely unusual) input for any route or socket event: path segments, query
 * strings, JSON bodies shaped after a route's schema with fields mistyped, missing or extra, huge and negative
 * numbers, deep nesting, NUL bytes, invalid UTF-8, injection strings, text over the limits.
 */

/** Strings that are attacks somewhere, or edge cases of Unicode; valid text, to be stored as sent. */
export const INJECTIONS = [
  "'; DROP TABLE messages; --",
  "Robert'); DROP TABLE students;--",
  "\" OR 1=1 -- ' OR '1'='1",
  "' UNION SELECT password_hash, username FROM users --",
  '1; SELECT pg_sleep(10); --',
  "$1 $2 ::text %s %d ? :name E'\\x00' \\",
  '100% _under_ \\% \\_ \\',
  '<script>alert("x")</script>',
  '<img src=x onerror="alert(1)"> &amp; &lt;b&gt;',
  '"><svg/onload=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}} ${7*7} <%= 7*7 %> #{7*7}',
  '{"__proto__": {"isStaff": true}}',
  '../../../../etc/passwd',
  '👨‍👩‍👧‍👦 👋🏽 🇳🇿 ❤️',
  'مرحبا \u200F שלום \u202Eevil\u202C',
  'e\u0301 Z\u0351\u0362a\u0336l\u0337g\u0335o',
  '\uFEFFbom \u200Bzero\u200Dwidth',
  '𝕏 𝄞 \u{10FFFF}',
  'bell\u0007 esc\u001b[31m del\u007f',
  'line\u2028separator\u2029paragraph',
] as const;

/** A string with one unpaired UTF-16 surrogate somewhere: not Unicode text, cannot be stored as sent. */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

/** Text of `min`..`max` code points around a limit, mixing ASCII, accents, astral emoji and combining marks. */
export const textOfLength = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min, max }), fc.constantFrom('a', 'é', '😀', '\u0301', '漢', ' '))
    .chain(([length, filler]) => fc.tuple(fc.constant(filler.repeat(length)), fc.array(fc.tuple(fc.nat(length), anyCodePoint), { maxLength: 5 })))
    .map(([base, swaps]) => {
      const points = [...base];
      for (const [at, point] of swaps) if (at < points.length) points[at] = point;
      return points.join('');
    });

/** Any string a client might send: injections, random Unicode, NUL bytes, lone surrogates, text over 4,000 characters. */
export const specialString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), loneSurrogate).map(([a, b]) => `${a}${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', 'x'.repeat(4001), '😀'.repeat(4001), 'y'.repeat(10_000)) },
);

/** Numbers that are not ids: zero, negative, fractional, past the int range, past 2^53, the largest doubles. */
export const hugeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -1e308,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.maxSafeInteger(),
);

/** Number literals JSON.stringify never writes: overflow to Infinity, lose precision past 2^53, exponent forms. */
export const rawNumberLiteral = fc.constantFrom(
  '1e400',
  '-1e400',
  '9007199254740993',
  '123456789012345678901234567890',
  '1.0',
  '1e0',
  '-0',
  '1E2',
  '0.0000001',
);

/** Percent-encodes the UTF-8 bytes of a string: any string becomes a valid URL component. */
export const percentEncode = (text: string): string => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Percent-encoded bytes that are not UTF-8 at all (stray continuation bytes, overlong forms, 0xFF). */
export const invalidUtf8Escapes = fc
  .uint8Array({ minLength: 1, maxLength: 6 })
  .map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''));

/** A path segment where an id belongs: sometimes the real id (so the rest of the request is reached), mostly not. */
export const pathSegment = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: fc.integer({ min: -(2 ** 31), max: 0 }).map(String) },
    { weight: 1, arbitrary: fc.bigInt({ min: 2n ** 31n, max: 10n ** 40n }).map(String) },
    { weight: 1, arbitrary: fc.double().map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '1e3',
        '0x10',
        '+1',
        '01',
        '1.0',
        '%201',
        '1%20',
        '%d9%a1',
        '%ef%bc%91',
        '1%00',
        '%00',
        '%2e%2e',
        '..',
        'null',
        'undefined',
        '[]',
      ),
    },
    { weight: 2, arbitrary: specialString.map(percentEncode) },
    { weight: 1, arbitrary: invalidUtf8Escapes },
  );

/** A query string (without "?"): known and unknown names, repeated names, huge and negative numbers, junk. */
export const queryString = (knownNames: string[]): fc.Arbitrary<string> => {
  const name = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...knownNames, 'limit', 'offset') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom('limit[]', 'limit[a]', '__proto__', 'constructor') },
  );
  const value = fc.oneof(
    fc.constantFrom('', '-1', '0', '1', '1e3', '1.5', '999999999999999', '2147483648', '9999999999999999999999', '-999999999999999', '0x10', 'NaN', 'Infinity'),
    hugeNumber.map(String),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    specialString.map(percentEncode),
    invalidUtf8Escapes,
  );
  return fc.array(fc.tuple(name, value), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
};

/** An OpenAPI schema object, as much of it as the generators read. */
export interface FieldSchema {
  type?: string;
  enum?: unknown[];
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
  $ref?: string;
}

/** Ids that exist in the test's data, so that some generated requests get past the id checks. */
export interface KnownIds {
  ids: number[];
}

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  specialString,
  hugeNumber,
  fc.constantFrom(null, true, false, [], {}, [1], { id: 1 }),
);

/** A value for a field of this schema: mostly plausible for its type, sometimes of another type altogether. */
export function fieldValue(schema: FieldSchema | undefined, known: KnownIds, fieldName = ''): fc.Arbitrary<unknown> {
  let plausible: fc.Arbitrary<unknown>;
  if (schema?.enum) plausible = fc.constantFrom(...schema.enum, 'DIRECT', 'channel', '');
  else if (schema?.type === 'string') plausible = /clientMessageId/i.test(fieldName) ? fc.oneof(fc.uuid(), specialString) : specialString;
  else if (schema?.type === 'number' || schema?.type === 'integer') plausible = fc.oneof(fc.constantFrom(...known.ids), hugeNumber);
  else if (schema?.type === 'boolean') plausible = fc.boolean();
  else if (schema?.type === 'array') plausible = fc.array(fieldValue(schema.items, known), { maxLength: 5 });
  else plausible = wrongValue;
  return fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: wrongValue });
}

/** `depth` levels of arrays or objects around a value: for the deep-nesting cases. */
export const nested = (depth: number, kind: 'array' | 'object', inner = '1'): string =>
  kind === 'array' ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;

/**
 * A JSON body as text, shaped after `properties`: each field present or missing, plausible or mistyped, plus extra
 * fields (also "__proto__"), a raw number literal, nesting up to `maxNesting` levels, or no object at all. Text, so
 * that keys like "__proto__" and literals like 1e400 reach the server as written.
 */
export function jsonBody(properties: Record<string, FieldSchema>, known: KnownIds, maxNesting = 5000): fc.Arbitrary<string> {
  const names = Object.keys(properties);
  const field = (name: string): fc.Arbitrary<[string, string] | null> =>
    fc.option(
      fieldValue(properties[name], known, name).map((value): [string, string] => [name, JSON.stringify(value) ?? 'null']),
      { nil: null, freq: 4 },
    );
  const extras = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'isStaff', 'ownerId', 'senderId', ...names), fc.string({ maxLength: 10 })),
      wrongValue,
    ),
    { maxLength: 2 },
  );
  const shaped = fc.tuple(fc.tuple(...names.map(field)), fc.option(extras, { nil: [], freq: 3 })).map(([fields, extra]) => {
    const entries = [
      ...fields.filter((entry): entry is [string, string] => entry !== null),
      ...extra.map(([k, v]): [string, string] => [k, JSON.stringify(v) ?? 'null']),
    ];
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  });
  const rawNumber = fc
    .tuple(fc.constantFrom(...(names.length > 0 ? names : ['id'])), rawNumberLiteral)
    .map(([name, literal]) => `{${JSON.stringify(name)}:${literal}}`);
  const deep = fc
    .tuple(
      fc.integer({ min: 33, max: maxNesting }),
      fc.constantFrom<'array' | 'object'>('array', 'object'),
      fc.constantFrom(...(names.length > 0 ? names : ['a'])),
    )
    .map(([depth, kind, name]) => `{${JSON.stringify(name)}:${nested(depth, kind)}}`);
  return fc.oneof(
    { weight: names.length > 0 ? 6 : 1, arbitrary: shaped },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: rawNumber },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );
}

/** Length in Unicode code points (how the contract counts the 4,000 characters). */
export const codePoints = (text: string): number => [...text].length;

export const hasLoneSurrogate = (text: string): boolean => /\p{Cs}/u.test(text);

const shorten = (text: string, max = 1500): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters in all)` : text);

/**
 * fc.assert with a readable failure: the counterexample and the error, each cut to a length a terminal can show
 * (a shrunk 10,000-character string would otherwise bury the report). The seed and path reproduce the run.
 */
export async function assertProperty<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (!details.failed) return;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    [
      `Property failed after ${details.numRuns} runs { seed: ${details.seed}, path: "${details.counterexamplePath ?? ''}" }`,
      `Counterexample: ${shorten(fc.stringify(details.counterexample))}`,
      `Error: ${shorten(error, 4000)}`,
    ].join('\n'),
  );
}

/** Strings a form field may carry where a number belongs: JSON numbers, near misses ("3x", " 3", "0x10") and junk. */
const formNumberish = fc.oneof(
  fc.constantFrom(
    '3x',
    ' 3',
    '3 ',
    '+1',
    '01',
    '0x10',
    '1e3',
    '1.5',
    '-1',
    '0',
    '',
    '2147483648',
    '1e400',
    '9007199254740993',
    'NaN',
    'Infinity',
    'null',
    'true',
  ),
  hugeNumber.map(String),
  fc.integer({ min: 1, max: 50 }).map(String),
);

/** A value as a form carries it: text (a list, as the field repeated; anything else as its JSON text). */
const asFormValues = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap((item) => (typeof item === 'string' ? [item] : [JSON.stringify(item) ?? 'null']))
    : [typeof value === 'string' ? value : (JSON.stringify(value) ?? '')];

/**
 * A form body shaped after `properties`, as urlencoded text or multipart bytes: each field present or missing,
 * repeated or not, as plausible text, a near-miss number or a mistyped value; extra fields ("__proto__", "a[b]",
 * "participants[]"), raw escapes that are malformed or not UTF-8, and file parts.
 */
export function formBody(properties: Record<string, FieldSchema>, known: KnownIds): fc.Arbitrary<{ contentType: string; body: string | Buffer }> {
  const names = Object.keys(properties);
  const field = (name: string): fc.Arbitrary<FormPairs> =>
    fc
      .option(fc.oneof(fieldValue(properties[name], known, name).map(asFormValues), fc.array(formNumberish, { minLength: 1, maxLength: 3 })), {
        nil: [],
        freq: 4,
      })
      .map((values) => values.map((value): [string, string] => [name, value]));
  const extra = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'a[b]', 'participants[]', 'participants[0]', 'text[value]', 'isStaff', ...names),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(specialString, formNumberish),
    ),
    { maxLength: 2 },
  );
  const pairs = fc.tuple(fc.tuple(...names.map(field)), fc.option(extra, { nil: [], freq: 3 })).map(([fields, extras]) => [...fields.flat(), ...extras]);
  const junk = fc.oneof(
    fc.constantFrom('%', '%zz', 'text=%E9', 'a=%ED%A0%80', '&&==&', '=', 'text', '%00=1', 'text=a%00b'),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: pairs.map((p) => ({ contentType: URLENCODED, body: urlencoded(p) })) },
    { weight: 3, arbitrary: pairs.map((p) => multipart(p)) },
    { weight: 1, arbitrary: pairs.map((p) => multipart(p, [{ name: names[0] ?? 'file', filename: 'x.bin', content: 'abc' }])) },
    { weight: 1, arbitrary: junk.map((body) => ({ contentType: URLENCODED, body })) },
    { weight: 1, arbitrary: junk.map((body) => ({ contentType: 'multipart/form-data; boundary=XyZ', body: `--XyZ\r\n${body}` })) },
  );
}
