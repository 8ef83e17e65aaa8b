import { describe, expect, it } from '@jest/globals';
import { parseMultipart, parseUrlencoded } from './body-parsers.js';

const codeOf = async (fn: () => unknown): Promise<string | undefined> => {
  try {
    await fn();
  } catch (error) {
    return (error as { getResponse?: () => { code?: string } }).getResponse?.().code ?? 'not-an-http-exception';
  }
  return undefined;
};

const multipart = (parts: string[], boundary = 'XyZ'): [Record<string, string>, Buffer] => [
  { 'content-type': `multipart/form-data; boundary=${boundary}` },
  Buffer.from(`${parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--\r\n`),
];
const field = (name: string, value: string): string => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;

describe('parseUrlencoded', () => {
  it('decodes fields as strings, "+" as a space, and a repeated field as a list', () => {
    const fields = parseUrlencoded(Buffer.from('username=david%20jones&text=caf%C3%A9+au+lait&participants=2&participants=3&&empty=&flag'));
    expect(fields).toEqual({ username: 'david jones', text: 'café au lait', participants: ['2', '3'], empty: '', flag: '' });
  });

  it('keeps "__proto__" an own field, as JSON.parse does, and nested names as plain names', () => {
    const fields = parseUrlencoded(Buffer.from('__proto__=x&a%5Bb%5D=1'));
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['__proto__', 'a[b]']);
  });

  it('refuses malformed escapes and bytes that are not UTF-8', async () => {
    expect(await codeOf(() => parseUrlencoded(Buffer.from('text=100%')))).toBe('malformed_form');
    expect(await codeOf(() => parseUrlencoded(Buffer.from('text=%zz')))).toBe('malformed_form');
    expect(await codeOf(() => parseUrlencoded(Buffer.from('text=caf%E9')))).toBe('invalid_utf8');
    expect(await codeOf(() => parseUrlencoded(Buffer.from('text=%ED%A0%80')))).toBe('invalid_utf8');
    expect(await codeOf(() => parseUrlencoded(Buffer.from([0x74, 0x3d, 0xff])))).toBe('invalid_utf8');
  });
});

describe('parseMultipart', () => {
  it('reads text fields, a repeated one as a list', async () => {
    const [headers, body] = multipart([field('text', 'héllo\r\nworld'), field('participants', '2'), field('participants', '3')]);
    expect(await parseMultipart(headers, body)).toEqual({ text: 'héllo\r\nworld', participants: ['2', '3'] });
  });

  it('refuses a file part, naming it', async () => {
    const [headers, body] = multipart([
      field('text', 'hi'),
      'Content-Disposition: form-data; name="doc"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc',
    ]);
    await expect(parseMultipart(headers, body)).rejects.toMatchObject({ response: { code: 'file_not_accepted', message: expect.stringContaining('"doc"') } });
  });

  it('refuses a missing boundary, a truncated body and bytes that are not UTF-8', async () => {
    expect(await codeOf(() => parseMultipart({ 'content-type': 'multipart/form-data' }, Buffer.from('x')))).toBe('malformed_form');
    const [headers, body] = multipart([field('text', 'hi')]);
    expect(await codeOf(() => parseMultipart(headers, body.subarray(0, body.length - 12)))).toBe('malformed_form');
    const [h2, b2] = multipart([field('text', 'caf\u00e9')]);
    expect(await codeOf(() => parseMultipart(h2, Buffer.from(b2.toString('utf8'), 'latin1')))).toBe('invalid_utf8');
  });
});
