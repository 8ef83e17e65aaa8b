import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { HttpErrorFilter, requestIdMiddleware, StrictValidationPipe } from '../../../libs/common/src/index.js';
import type { AppConfig, LogLevelName } from '../../../libs/config/src/index.js';
import { ParleyIoAdapter } from '../../../libs/realtime/src/index.js';
import { AppModule } from './app.module.js';
import { mountSwagger } from './swagger.js';

const LOG_LEVELS: LogLevelName[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels at or above the configured one. */
function logLevelsFrom(level: LogLevelName): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

export const BODY_LIMIT = '64kb';

/** Builds the HTTP application with everything main.ts and the tests share; the caller calls listen(). */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: logLevelsFrom(config.logLevel),
  });
  if (config.jwt.secretIsEphemeral) {
    new Logger('Config').warn('JWT_SECRET is not set: using a random secret for this process; tokens will not survive a restart.');
  }
  app.use(requestIdMiddleware);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(cookieParser());
  app.set('query parser', 'simple');
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, credentials: true });
  const ioAdapter = new ParleyIoAdapter(app, config.corsOrigins);
  if (config.redisUrl) await ioAdapter.connectToRedis(config.redisUrl);
  app.useWebSocketAdapter(ioAdapter);
  app.enableShutdownHooks();
  mountSwagger(app);
  return app;
}
