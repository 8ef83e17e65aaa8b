import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { DomainError, isDatabaseUnavailable, type ErrorKind } from '../../common/src/index.js';

export type SocketErrorCode = ErrorKind | 'rate_limited' | 'internal';

export interface SocketErrorAck {
  ok: false;
  error: { code: SocketErrorCode; message: string; reason?: string };
}

/** The socket counterpart of the HTTP error shape: `{ok: false, error: {code, message}}`. */
export function toSocketErrorAck(error: unknown): SocketErrorAck {
  if (error instanceof DomainError) return { ok: false, error: { code: error.kind, message: error.message, reason: error.code } };
  if (error instanceof HttpException) {
    const response = error.getResponse() as { message?: string | string[] } | string;
    const message = typeof response === 'string' ? response : response.message;
    const status = error.getStatus();
    const code: SocketErrorCode =
      status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'bad_request';
    return { ok: false, error: { code, message: Array.isArray(message) ? [...new Set(message)].join('; ') : (message ?? error.message) } };
  }
  if (error instanceof WsException) {
    const detail = error.getError();
    return { ok: false, error: { code: 'bad_request', message: typeof detail === 'string' ? detail : JSON.stringify(detail) } };
  }
  if (isDatabaseUnavailable(error)) return { ok: false, error: { code: 'unavailable', message: 'The database is unavailable; try again shortly.' } };
  return { ok: false, error: { code: 'internal', message: 'internal error' } };
}

/** Answers a failed socket event through its acknowledgement; the connection stays up. */
@Catch()
export class SocketErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('SocketError');

  catch(error: unknown, host: ArgumentsHost): void {
    const ack: unknown = host.getArgByIndex(2);
    const answer = toSocketErrorAck(error);
    if (answer.error.code === 'internal') this.logger.error('socket event failed', error instanceof Error ? error.stack : String(error));
    if (typeof ack === 'function') (ack as (answer: SocketErrorAck) => void)(answer);
  }
}
