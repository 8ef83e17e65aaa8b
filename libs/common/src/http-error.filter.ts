import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DomainError, type ErrorKind } from './errors.js';

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

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON in request body.',
  'entity.too.large': 'Request body is larger than 64 KiB.',
  'encoding.unsupported': 'Unsupported content encoding.',
  'charset.unsupported': 'Unsupported charset; send UTF-8 JSON.',
  'request.aborted': 'Request aborted.',
};

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/** True for errors that mean "the database cannot be reached right now" rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) return true;
  return err.driverError !== undefined && err.driverError !== error && isDatabaseUnavailable(err.driverError);
}

/** Turns any error into the contract's one error shape. A 500 tells only "internal error" and a request id. */
export function toErrorBody(error: unknown, requestId: string | undefined): ErrorBody {
  if (error instanceof DomainError) {
    const statusCode = statusForKind(error.kind);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: error.message, code: error.code };
  }
  if (error instanceof HttpException) {
    const statusCode = error.getStatus();
    const response = error.getResponse();
    const payload = typeof response === 'string' ? { message: response } : (response as Partial<ErrorBody>);
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: payload.message ?? error.message,
      ...(payload.code ? { code: payload.code } : {}),
    };
  }
  if (isBodyParserError(error)) {
    return { statusCode: error.status, error: STATUS_CODES[error.status] ?? 'Error', message: BODY_PARSER_MESSAGES[error.type] ?? 'Bad request body.' };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      statusCode: 503,
      error: STATUS_CODES[503] ?? 'Service Unavailable',
      message: 'The database is unavailable; try again shortly.',
      code: 'database_unavailable',
      requestId,
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
    if (body.statusCode >= 500) {
      this.logger.error(`${req.method} ${req.path} failed [request ${req.id ?? '-'}]`, error instanceof Error ? error.stack : String(error));
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }
}
