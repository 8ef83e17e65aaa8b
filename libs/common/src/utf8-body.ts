import { BadRequestException } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The JSON body parser's `verify` hook: a UTF-8 body must be valid UTF-8. The decoder would otherwise turn every
 * invalid byte into U+FFFD silently and the server would store text the client never sent. (Bodies declared in
 * another UTF charset are the decoder's business.)
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() === 'utf-8' && !isUtf8(body)) {
    throw new BadRequestException({ message: 'The request body is not valid UTF-8.', code: 'invalid_utf8' });
  }
}
