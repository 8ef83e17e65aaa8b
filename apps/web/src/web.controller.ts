import { Controller, Get, Header, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE } from '../../../libs/auth/src/web-session.strategy.js';
import { AuthService } from '../../../libs/auth/src/auth.service.js';
import { ParseIdPipe, Public } from '../../../libs/common/src/index.js';
import { renderPage, type PageName } from './pages.js';

/** Pages allow only their own scripts and styles: no inline script, nothing from elsewhere. */
export const WEB_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// The assets sit beside the sources (apps/web/public); from the build (dist/apps/web/src) that is four levels up.
const here = dirname(fileURLToPath(import.meta.url));
const ASSETS_DIR = [resolve(here, '../public/assets'), resolve(here, '../../../../apps/web/public/assets')].find((dir) => existsSync(dir)) as string;
const ASSET_NAME = /^[a-z-]+\.(js|css|svg)$/;
// Browsers ask for /favicon.ico whatever the page links; an SVG answers it (every current browser takes one).
const FAVICON = 'favicon.svg';

@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  constructor(private readonly auth: AuthService) {}

  @Get('login')
  @Header('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY)
  login(@Res() res: Response): void {
    res.type('html').send(renderPage('login'));
  }

  @Get()
  inbox(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.signedInPage(req, res, 'inbox');
  }

  @Get('people')
  people(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.signedInPage(req, res, 'people');
  }

  @Get('threads/:id')
  thread(@Req() req: Request, @Res() res: Response, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.signedInPage(req, res, 'thread', id);
  }

  @Get('assets/:file')
  @Header('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY)
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!ASSET_NAME.test(file)) throw new NotFoundException('No such asset.');
    res.sendFile(file, { root: ASSETS_DIR, maxAge: 0 }, (error) => {
      if (error && !res.headersSent) res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'No such asset.', code: 'not_found' });
    });
  }

  @Get('favicon.ico')
  favicon(@Res() res: Response): void {
    res.type('image/svg+xml').sendFile(FAVICON, { root: ASSETS_DIR, maxAge: '1d' });
  }

  /** A page for signed-in users; without a live session cookie, the sign-in page. */
  private async signedInPage(req: Request, res: Response, page: PageName, threadId?: number): Promise<void> {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const signedIn = token
      ? await this.auth.authenticateWebSession(token).then(
          () => true,
          () => false,
        )
      : false;
    if (!signedIn) {
      res.redirect(302, '/login');
      return;
    }
    res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
    res.type('html').send(renderPage(page, threadId));
  }
}
