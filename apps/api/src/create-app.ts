import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import { bodyParsers, HttpErrorFilter, requestIdMiddleware, StrictValidationPipe } from '../../../libs/common/src/index.js';
import type { AppConfig } from '../../../libs/config/src/index.js';
import { ParleyIoAdapter } from '../../../libs/realtime/src/index.js';
import { AppModule } from './app.module.js';
import { accessLogMiddleware, createRootLogger, PinoNestLogger } from './logging.js';
import { mountSwagger } from './swagger.js';

export const BODY_LIMIT = '64kb';

/** Builds the HTTP application with everything main.ts and the tests share; the caller calls listen(). */
export async function createApp(config: AppConfig, options: { logDestination?: DestinationStream } = {}): Promise<NestExpressApplication> {
  const log = createRootLogger(config, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger: new PinoNestLogger(log) });
  if (config.jwt.secretIsEphemeral) {
    new Logger('Config').warn('JWT_SECRET is not set: using a random secret for this process; tokens will not survive a restart.');
  }
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(log));
  // Helmet's headers everywhere; its page CSP is not: the inbox pages set their own (no inline script), while
  // Swagger UI and AdminJS need inline code. API answers are data, never to be run or framed.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use('/api', helmet.contentSecurityPolicy({ useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }));
  // JSON (Express' own parser: Nest's useBodyParser keeps the `verify` hook for its rawBody option) and form bodies.
  app.use(bodyParsers(BODY_LIMIT));
  app.use(cookieParser());
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy);
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, credentials: true });
  const ioAdapter = new ParleyIoAdapter(app, config.corsOrigins);
  if (config.redisUrl) await ioAdapter.connectToRedis(config.redisUrl, config.redisKeyPrefix);
  app.useWebSocketAdapter(ioAdapter);
  app.enableShutdownHooks();
  mountSwagger(app);
  return app;
}
