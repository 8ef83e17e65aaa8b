import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { BadRequestError } from './errors.js';
import { isDatabaseUnavailable, toErrorBody } from './http-error.filter.js';

/** A failed query as TypeORM hands it over: the driver's error inside. */
const failedQuery = (driverError: Error & { code?: string }): QueryFailedError => new QueryFailedError('SELECT 1', [], driverError);
const withCode = (message: string, code: string): Error & { code: string } => Object.assign(new Error(message), { code });

describe('errors that mean "the database cannot be reached right now"', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['no free or new connection in time', new Error('timeout exceeded when trying to connect')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['no answer to a query in time', new Error('Query read timeout')],
    ['a statement cancelled by statement_timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['the server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
  ])('%s answers 503 database_unavailable', (_, driverError) => {
    for (const error of [driverError, failedQuery(driverError)]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(toErrorBody(error, 'req-1')).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable; try again shortly.',
        code: 'database_unavailable',
      });
    }
  });

  it('leaves other failures alone: a constraint violation is a 500, a domain error keeps its status', () => {
    const violation = failedQuery(withCode('duplicate key value violates unique constraint', '23505'));
    expect(isDatabaseUnavailable(violation)).toBe(false);
    expect(toErrorBody(violation, 'req-2')).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error', requestId: 'req-2' });
    expect(toErrorBody(new BadRequestError('invalid_text', 'Bad text.'), 'req-3')).toMatchObject({ statusCode: 400, code: 'invalid_text' });
  });
});

describe('every refusal carries a code', () => {
  it('names the body parser failures', () => {
    const parserError = (type: string, status: number, message = 'Unexpected end of JSON input') =>
      Object.assign(new Error(message), { type, status, expose: true });
    expect(toErrorBody(parserError('entity.parse.failed', 400), 'r')).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Malformed JSON in request body. Unexpected end of JSON input',
      code: 'malformed_json',
    });
    expect(toErrorBody(parserError('entity.too.large', 413), 'r')).toMatchObject({ statusCode: 413, error: 'Payload Too Large', code: 'payload_too_large' });
    expect(toErrorBody(parserError('something.new', 415), 'r')).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    // As Nest's Express adapter hands them over: wrapped, with the parser's own wording.
    const wrapped = new BadRequestException('Unexpected end of JSON input', { cause: parserError('entity.parse.failed', 400) });
    expect(toErrorBody(wrapped, 'r')).toMatchObject({
      message: 'Malformed JSON in request body. Unexpected end of JSON input',
      code: 'malformed_json',
    });
  });

  it("keeps a Nest exception's own code, and derives one from the status otherwise", () => {
    expect(toErrorBody(new BadRequestException({ message: ['text must be a string'], code: 'validation_failed' }), 'r')).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['text must be a string'],
      code: 'validation_failed',
    });
    expect(toErrorBody(new NotFoundException('Cannot GET /api/v2/nothing'), 'r')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/v2/nothing',
      code: 'not_found',
    });
  });
});
