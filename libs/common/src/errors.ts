/**
 * Domain errors carry a stable machine-readable `code` and a `kind`; each transport maps the kind to
 * its own vocabulary (HTTP status, socket error ack) in exactly one place.
 */
export type ErrorKind = 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable' | 'rate_limited' | 'overloaded';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string) {
    super('not_found', code, message);
  }
}

export class BadRequestError extends DomainError {
  constructor(code: string, message: string) {
    super('bad_request', code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string) {
    super('forbidden', code, message);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(code: string, message: string) {
    super('unauthorized', code, message);
  }
}

/** Too many attempts: the client may try again after `retryAfterSeconds` (HTTP: 429 with Retry-After). */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 'rate_limited', message);
  }
}

/** A dependency (the database) cannot be reached right now: the request may succeed if tried again shortly. */
export class ServiceUnavailableError extends DomainError {
  constructor(code: string, message: string) {
    super('unavailable', code, message);
  }
}

/**
 * The server cannot take more work without queuing it for long: refused at once, nothing stored, so a retry (with the
 * same clientMessageId) after `retryAfterMs` is safe. HTTP: 503 with Retry-After; socket ack code `overloaded`.
 */
export class OverloadedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('overloaded', 'overloaded', message);
  }
}

export const databaseUnavailable = (): ServiceUnavailableError =>
  new ServiceUnavailableError('database_unavailable', 'The database is unavailable; try again shortly.');

/** The one "thread not found" every thread route answers, whether it does not exist or the caller is not in it. */
export const threadNotFound = (): NotFoundError => new NotFoundError('thread_not_found', 'Thread not found.');
export const messageNotFound = (): NotFoundError => new NotFoundError('message_not_found', 'Message not found.');
