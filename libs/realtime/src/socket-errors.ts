import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { asDomainError, DomainError, OverloadedError, RateLimitedError, type ErrorKind } from '../../common/src/index.js';

export type SocketErrorCode = ErrorKind | 'rate_limited' | 'internal';

export interface SocketErrorAck {
  ok: false;
  error: { code: SocketErrorCode; message: string; reason?: string; retryAfterSeconds?: number; retryAfterMs?: number };
}

/** The socket counterpart of the HTTP error shape: `{ok: false, error: {code, message}}`. */
export function toSocketErrorAck(error: unknown): SocketErrorAck {
  if (error instanceof RateLimitedError) {
    return { ok: false, error: { code: 'rate_limited', message: error.message, retryAfterSeconds: error.retryAfterSeconds } };
  }
  if (error instanceof OverloadedError) return { ok: false, error: { code: 'overloaded', message: error.message, retryAfterMs: error.retryAfterMs } };
  // Domain errors, and the database being unreachable (kind `unavailable`, reason `database_unavailable`).
  const domainError = asDomainError(error);
  if (domainError) return { ok: false, error: { code: domainError.kind, message: domainError.message, reason: domainError.code } };
  if (error instanceof HttpException) {
    const response = error.getResponse() as { message?: string | string[]; code?: string } | string;
    const message = typeof response === 'string' ? response : response.message;
    const reason = typeof response === 'string' ? undefined : response.code;
    const status = error.getStatus();
    const code: SocketErrorCode =
      status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'bad_request';
    return {
      ok: false,
      error: { code, message: Array.isArray(message) ? [...new Set(message)].join('; ') : (message ?? error.message), ...(reason ? { reason } : {}) },
    };
  }
  if (error instanceof WsException) {
    const detail = error.getError();
    return { ok: false, error: { code: 'bad_request', message: typeof detail === 'string' ? detail : JSON.stringify(detail) } };
  }
  return { ok: false, error: { code: 'internal', message: 'internal error' } };
}

/**
 * The `connect_error` a refused handshake gets. Socket.IO clients do not retry a refused handshake by themselves,
 * so the message tells them what to do: `unauthorized` (sign in or refresh), `rate_limited` or `unavailable` (the
 * server's trouble, such as a database outage or a restart: try again after `data.retryAfterSeconds`).
 */
export function handshakeRefusal(error: unknown): Error {
  if (error instanceof RateLimitedError) return Object.assign(new Error('rate_limited'), { data: { retryAfterSeconds: error.retryAfterSeconds } });
  if (error instanceof DomainError && error.kind === 'unauthorized') return new Error('unauthorized');
  // Anything else is the server's trouble (database outage, shutting down), never a reason to sign in again.
  return Object.assign(new Error('unavailable'), { data: { retryAfterSeconds: 1 } });
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
