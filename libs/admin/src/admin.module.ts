// First, before anything that imports adminjs: AdminJS reads its environment once, when it is first imported.
import './adminjs-env.js';
import type { AuthenticationOptions } from '@adminjs/express';
import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import AdminJS from 'adminjs';
import type { Express } from 'express';
import type { SessionOptions } from 'express-session';
import { AppConfig } from '../../config/src/index.js';
import { MessagesModule } from '../../messages/src/messages.module.js';
import { ThreadsModule } from '../../threads/src/threads.module.js';
import { UsersModule } from '../../users/src/users.module.js';
import { bundleAdminComponents } from './admin-bundle.js';
import { buildAdminOptions } from './admin-options.js';
import { ADMIN_BODY_LIMIT, buildAdminRouter, mountAheadOfBodyParsers } from './admin-router.js';
import { AdminStatsRepository } from './admin-stats.repository.js';
import { AdminService } from './admin.service.js';
import { skipAdminBundle } from './adminjs-env.js';
import { AdminSession } from './session/admin-session.entity.js';
import { AdminSessionStore } from './session/admin-session.store.js';
import { AdminSessionsRepository } from './session/admin-sessions.repository.js';

export const ADMIN_SESSION_COOKIE = 'parley_admin';
/** An admin session ends after 8 hours without a request (the cookie is renewed on every request). */
export const ADMIN_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * The AdminJS panel at /admin for staff, mounted on the Express instance when the module starts. Not through
 * @adminjs/nestjs 7.0: its module calls admin.watch() before any customLoader runs, which starts rollup's file watcher
 * in every non-production process, tests and the demo included (README, "Why not @adminjs/nestjs").
 */
@Module({
  imports: [UsersModule, ThreadsModule, MessagesModule, TypeOrmModule.forFeature([AdminSession])],
  providers: [AdminService, AdminStatsRepository, AdminSessionsRepository],
})
export class AdminModule implements OnModuleInit {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly admin: AdminService,
    private readonly stats: AdminStatsRepository,
    private readonly sessions: AdminSessionsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    // Application contexts without HTTP (the seed, the CLI) have nothing to mount the panel on.
    const httpAdapter = this.httpAdapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!httpAdapter) return;
    const adminJs = new AdminJS(buildAdminOptions(this.admin, this.stats));
    await this.bundle(adminJs);
    if (this.config.adminSession.secretIsEphemeral) {
      this.logger.warn('ADMIN_SESSION_SECRET is not set: using a random secret for this process; admin sessions end with it.');
    }
    const auth: AuthenticationOptions = {
      authenticate: (login, password) => this.admin.signIn(login, password),
      cookieName: ADMIN_SESSION_COOKIE,
      cookiePassword: this.config.adminSession.secret,
      maxRetries: { count: 10, duration: 60 },
    };
    const sessionOptions: SessionOptions = {
      secret: this.config.adminSession.secret,
      store: new AdminSessionStore(this.sessions, ADMIN_SESSION_TTL_MS),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // 'auto': Secure whenever the request came over HTTPS.
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: ADMIN_SESSION_TTL_MS, path: adminJs.options.rootPath },
    };
    // Forms carry a few short fields; no files (formidable would write them to disk).
    const router = buildAdminRouter(adminJs, auth, sessionOptions, { maxFieldsSize: ADMIN_BODY_LIMIT, maxFileSize: 1 });
    mountAheadOfBodyParsers(httpAdapter.getInstance<Express>(), adminJs.options.rootPath, router);
  }

  /**
   * The components bundle is built at start from the installed packages (no network). In production AdminJS does
   * it itself when the router is built (ADMIN_JS_SKIP_BUNDLE=true turns both off, to serve a bundle built earlier).
   */
  private async bundle(adminJs: AdminJS): Promise<void> {
    // AdminJS decides by the process's NODE_ENV itself (it picks its production assets at import), so this does too.
    if (skipAdminBundle() || process.env.NODE_ENV === 'production') return;
    const started = Date.now();
    await bundleAdminComponents(adminJs);
    this.logger.log(`admin components bundled in ${Date.now() - started} ms`);
  }
}
