/**
 * Form bodies as Django REST Framework clients, browsers and Postman send them, built by hand so that the tests
 * control every byte: a repeated field is the name again (never `name[0]`), and values go out exactly as given.
 */

/** Name/value pairs in order; a name may repeat (a list field). */
export type FormPairs = [string, string][];

export const URLENCODED = 'application/x-www-form-urlencoded';

/** The UTF-8 bytes of a string, with a lone surrogate written as its three WTF-8 bytes (which are not UTF-8), as a careless client writes it. */
export function wtf8(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const char of text) {
    const point = char.codePointAt(0) as number;
    parts.push(
      point >= 0xd800 && point <= 0xdfff ? Buffer.from([0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f)]) : Buffer.from(char),
    );
  }
  return Buffer.concat(parts);
}

/** Percent-encodes every byte outside the unreserved set, as browsers do (a space as "+"). */
const formEncode = (text: string): string =>
  [...wtf8(text)]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9*\-._]/.test(char)) return char;
      return byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/** `application/x-www-form-urlencoded` text of the pairs. */
export const urlencoded = (pairs: FormPairs): string => pairs.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');

/** A part of a multipart body that carries a file rather than a field. */
export interface FilePart {
  name: string;
  filename: string;
  content: string;
}

/** A `multipart/form-data` body of the pairs (and any file parts), with its Content-Type header. */
export function multipart(pairs: FormPairs, files: FilePart[] = []): { contentType: string; body: Buffer } {
  const boundary = '----ParleyTestBoundary7MA4YWxkTrZu0gW';
  const parts = [
    ...pairs.map(([name, value]) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), wtf8(value), Buffer.from('\r\n')]),
    ),
    ...files.map((file) =>
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.content}\r\n`,
      ),
    ),
  ];
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]) };
}

/** The pairs of a flat object: a list becomes the name repeated. */
export const pairsOf = (fields: Record<string, string | number | (string | number)[]>): FormPairs =>
  Object.entries(fields).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, String(item)]));
