import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { databaseUnavailable, DomainError, OverloadedError, RateLimitedError, type ErrorKind } from './errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code?: string;
  requestId?: string;
}

export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'bad_request':
      return HttpStatus.BAD_REQUEST;
    case 'unauthorized':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'overloaded':
      return HttpStatus.SERVICE_UNAVAILABLE;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown error kind ${String(unreachable)}`);
    }
  }
}

/** Errors raised by Express' body parser carry a status and a `type`; they are the client's fault. */
interface BodyParserError {
  status: number;
  type: string;
  expose: boolean;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return typeof candidate?.type === 'string' && typeof candidate.status === 'number' && candidate.expose === true;
}

const BODY_PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'malformed_json', message: 'Malformed JSON in request body.' },
  'entity.too.large': { code: 'payload_too_large', message: 'Request body is larger than 64 KiB.' },
  'encoding.unsupported': { code: 'unsupported_encoding', message: 'Unsupported content encoding.' },
  'charset.unsupported': { code: 'unsupported_charset', message: 'Unsupported charset; send UTF-8 JSON.' },
  'request.aborted': { code: 'request_aborted', message: 'Request aborted.' },
};

/** The code of a refusal that names none (Nest's own, such as an unknown route): its status in snake case, `not_found`. */
function codeForStatus(statusCode: number): string {
  return (STATUS_CODES[statusCode] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Node socket errors and PostgreSQL SQLSTATEs that mean "the database cannot be reached (or answer) right now":
 * connection refused/reset/timed out, host unreachable, server shutting down or starting, too many connections,
 * connection failures (class 08), and statements cancelled by statement_timeout (57014).
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

// What pg and pg-pool say when a connection ends, a connection or a free pooled one is not had in time, or a query
// gets no answer in time (query_timeout).
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable/i;

/** True for errors that mean "the database cannot be reached right now" rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
  if (typeof err.message === 'string' && UNAVAILABLE_MESSAGES.test(err.message)) return true;
  return err.driverError !== undefined && err.driverError !== error && isDatabaseUnavailable(err.driverError);
}

/** The domain error a failure stands for: itself, the database being unavailable, or nothing the client can act on. */
export function asDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  return undefined;
}

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 2;

/** Turns any error into the contract's one error shape. A 500 tells only "internal error" and a request id. */
export function toErrorBody(error: unknown, requestId: string | undefined): ErrorBody {
  const domainError = asDomainError(error);
  if (domainError) {
    const statusCode = statusForKind(domainError.kind);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: domainError.message, code: domainError.code };
  }
  // Nest hands body parser failures over wrapped in an HttpException.
  const parserError = isBodyParserError(error) ? error : error instanceof HttpException && isBodyParserError(error.cause) ? error.cause : undefined;
  if (parserError) {
    const known = BODY_PARSER_ERRORS[parserError.type];
    return {
      statusCode: parserError.status,
      error: STATUS_CODES[parserError.status] ?? 'Error',
      // The JSON parser's own words say where the body went wrong; they only quote what the client sent.
      message:
        parserError.type === 'entity.parse.failed' && error instanceof Error ? `${known?.message} ${error.message}` : (known?.message ?? 'Bad request body.'),
      code: known?.code ?? codeForStatus(parserError.status),
    };
  }
  if (error instanceof HttpException) {
    const statusCode = error.getStatus();
    const response = error.getResponse();
    const payload = typeof response === 'string' ? { message: response } : (response as Partial<ErrorBody>);
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: payload.message ?? error.message,
      code: payload.code ?? codeForStatus(statusCode),
    };
  }
  return { statusCode: 500, error: STATUS_CODES[500] ?? 'Internal Server Error', message: 'internal error', requestId };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const body = toErrorBody(error, req.id);
    const unavailable = body.statusCode === 503;
    if (unavailable) {
      // Expected while a dependency is down, and possibly for every request: one line each, no stack.
      this.logger.warn({
        msg: `${req.method} ${req.path} answered 503 ${body.code ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
        reqId: req.id,
      });
    } else if (body.statusCode >= 500) {
      this.logger.error(
        { msg: `${req.method} ${req.path} failed [request ${req.id ?? '-'}]`, reqId: req.id },
        error instanceof Error ? error.stack : String(error),
      );
    }
    if (res.headersSent) return;
    if (error instanceof RateLimitedError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof OverloadedError) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    else if (unavailable) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(body.statusCode).json(body);
  }
}
