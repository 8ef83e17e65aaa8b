import AdminJSExpress, { type AuthenticationOptions, type FormidableOptions } from '@adminjs/express';
import type AdminJS from 'adminjs';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { SessionOptions } from 'express-session';

/** The same order of size as the API's 64 KiB JSON limit: admin forms carry a few short fields, never files. */
export const ADMIN_BODY_LIMIT = 64 * 1024;

const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);

/**
 * Refuses a body over the limit before anything reads it: AdminJS's form parser (formidable 1) buffers JSON bodies
 * with no limit at all, and /admin/login takes them from anyone. Browsers always send Content-Length for forms.
 */
function limitBody(req: Request, res: Response, next: NextFunction): void {
  const length = req.get('content-length');
  if (length === undefined && req.get('transfer-encoding')) {
    res.status(411).type('text/plain').send('Length Required');
  } else if (Number(length ?? 0) > ADMIN_BODY_LIMIT) {
    res.status(413).type('text/plain').send('Payload Too Large');
  } else {
    next();
  }
}

/** AdminJS's Express router with its session login, behind the body-size check. */
export function buildAdminRouter(admin: AdminJS, auth: AuthenticationOptions, sessionOptions: SessionOptions, formidableOptions: FormidableOptions): Router {
  const router = express.Router();
  router.use(limitBody);
  return AdminJSExpress.buildAuthenticatedRouter(admin, auth, router, sessionOptions, formidableOptions);
}

/**
 * Mounts the admin router at `path`, ahead of the application's body parsers: AdminJS parses its own bodies
 * (formidable) and refuses a request that another parser has already read.
 */
export function mountAheadOfBodyParsers(app: Express, path: string, router: Router): void {
  app.use(path, router);
  // Express 5 keeps the application's middleware in its router's stack, in registration order.
  const stack = (app.router as unknown as { stack: { name: string }[] }).stack;
  const mounted = stack.pop() as { name: string };
  const firstParser = stack.findIndex((layer) => BODY_PARSERS.has(layer.name));
  stack.splice(firstParser === -1 ? stack.length : firstParser, 0, mounted);
}
