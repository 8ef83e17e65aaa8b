import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { pino, type Logger as PinoLogger } from 'pino';
import { accessLogMiddleware, PinoNestLogger } from './logging.js';

function capture(level: 'info' | 'warn'): { log: PinoLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, destination), lines };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PinoNestLogger', () => {
  it('writes what a named Nest Logger says as fields: context, stack, and an object message', async () => {
    const { log, lines } = capture('info');
    const nest = new PinoNestLogger(log);
    const logger = new Logger('HttpError');
    Logger.overrideLogger(nest);
    try {
      logger.log('started');
      logger.error({ msg: 'GET /x failed', reqId: 'req-1' }, 'Error: boom\n    at here');
      logger.warn(new Error('lost Redis'));
      logger.debug('not at info');
    } finally {
      Logger.overrideLogger(true);
    }
    await flush();
    expect(lines.map(({ level, msg, context, reqId, stack }) => ({ level, msg, context, reqId, stack }))).toEqual([
      { level: 30, msg: 'started', context: 'HttpError', reqId: undefined, stack: undefined },
      { level: 50, msg: 'GET /x failed', context: 'HttpError', reqId: 'req-1', stack: 'Error: boom\n    at here' },
      { level: 40, msg: 'lost Redis', context: 'HttpError', reqId: undefined, stack: undefined },
    ]);
    expect((lines[2]?.err as { message?: string }).message).toBe('lost Redis');
  });
});

function fakeExchange(url: string): { req: Request; res: Response & EventEmitter } {
  const res = Object.assign(new EventEmitter(), { statusCode: 201, writableFinished: true }) as unknown as Response & EventEmitter;
  const req = { id: 'req-7', method: 'POST', url, originalUrl: url } as unknown as Request;
  return { req, res };
}

describe('accessLogMiddleware', () => {
  it('logs one line per request with its reqId, status and time, and no token from the URL', async () => {
    const { log, lines } = capture('info');
    const { req, res } = fakeExchange('/api/v1/users/me?token=secret-value&x=1');
    let called = 0;
    accessLogMiddleware(log)(req, res, (() => called++) as NextFunction);
    res.emit('close');
    await flush();
    expect(called).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      reqId: 'req-7',
      req: { method: 'POST', url: '/api/v1/users/me?token=[redacted]&x=1' },
      res: { statusCode: 201 },
    });
    expect(JSON.stringify(lines[0])).not.toContain('secret-value');
  });

  it('adds nothing to a request when info lines are off, nor for health probes', async () => {
    const quiet = capture('warn');
    const { req, res } = fakeExchange('/api/v1/threads/');
    accessLogMiddleware(quiet.log)(req, res, (() => undefined) as NextFunction);
    expect(res.listenerCount('close')).toBe(0);
    const loud = capture('info');
    const probe = fakeExchange('/health/live');
    accessLogMiddleware(loud.log)(probe.req, probe.res, (() => undefined) as NextFunction);
    probe.res.emit('close');
    await flush();
    expect(loud.lines).toEqual([]);
  });
});
