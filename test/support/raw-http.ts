import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent byte for byte (with Content-Length unless `chunked`). */
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked, in pieces of this many bytes, and no Content-Length. */
  chunked?: number;
}

/**
 * One HTTP request with a body sent exactly as given (supertest would serialise a Buffer as JSON). The answer is
 * read even when the server answers before it has read the whole body and closes the connection (a 413).
 */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(options.path, baseUrl);
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  if (options.body && !options.chunked) headers['content-length'] = String(options.body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, { method: options.method, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    // Writing the rest of a refused body fails once the server closes; the answer is what matters.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const body = options.body;
    if (!body) {
      req.end();
    } else if (options.chunked) {
      const size = options.chunked;
      let offset = 0;
      const writeMore = (): void => {
        while (offset < body.length && !req.destroyed) {
          const piece = body.subarray(offset, offset + size);
          offset += size;
          if (!req.write(piece)) {
            req.once('drain', writeMore);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      writeMore();
    } else {
      req.end(body);
    }
  });
}
