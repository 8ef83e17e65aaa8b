import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { AppConfig, LogLevelName } from '../../../libs/config/src/index.js';

const PINO_LEVELS: Record<LogLevelName, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Structured JSON logs (pino), pretty in development. A destination other than stdout: tests read the lines back
 * to check what a log would hold.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options = { level: PINO_LEVELS[config.logLevel] };
  if (destination) return pino(options, destination);
  if (config.nodeEnv === 'development') {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(options);
}

/**
 * Nest's logger on pino. Nest calls `log(message, context)` and `error(message, stack, context)`; an object message
 * (such as `{ msg, reqId }`) becomes the line's fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Every Logger of the app is named, so its context comes last.
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const rest = context === undefined ? params : params.slice(0, -1);
    const fields: Record<string, unknown> = { context };
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest[0];
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...more } = message as { msg?: unknown };
      this.pino[level]({ ...fields, ...more }, typeof msg === 'string' ? msg : '');
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

/** A `?token=` in a URL is a credential (the socket and page links may carry one). */
function withoutCredentials(url: string): string {
  return url.includes('token=') ? url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]') : url;
}

/**
 * One line per finished request at info level, with its `reqId` (the X-Request-Id of the answer). Its own middleware
 * rather than pino-http: at warn level (production) it costs nothing, where pino-http built a child logger and
 * listeners for every request (about a quarter of the CPU of a small request in `npm run bench`).
 */
export function accessLogMiddleware(log: Logger): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    // Health probes every few seconds would drown everything else.
    if (!log.isLevelEnabled('info') || req.url.startsWith('/health/')) {
      next();
      return;
    }
    const started = performance.now();
    res.once('close', () => {
      log.info(
        {
          reqId: req.id,
          req: { method: req.method, url: withoutCredentials(req.originalUrl) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}
