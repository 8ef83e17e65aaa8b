import type { DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig, LogLevelName } from '../../../libs/config/src/index.js';

const PINO_LEVELS: Record<LogLevelName, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Structured JSON logs (pino), pretty in development. Every line logged while serving a request carries its
 * `reqId`, the id the response's X-Request-Id header shows. Credentials never reach a log line.
 */
export function loggingModule(config: AppConfig, destination?: DestinationStream): DynamicModule {
  const options = {
    level: PINO_LEVELS[config.logLevel],
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.query.token'],
      censor: '[redacted]',
    },
    // Health probes every few seconds would drown everything else.
    autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health/') ?? false },
    ...(config.nodeEnv === 'development' && !destination
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  };
  // A destination other than stdout: tests read the lines back to check what a log would hold.
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}
