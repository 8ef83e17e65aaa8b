import AdminJSExpress, { type AuthenticationOptions, type FormidableOptions } from '@adminjs/express';
import type AdminJS from 'adminjs';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { SessionOptions } from 'express-session';
import { BODY_PARSER_NAME } from '../../common/src/index.js';

/** The same order of size as the API's 64 KiB JSON limit: admin forms carry a few short fields, never files. */
export const ADMIN_BODY_LIMIT = 64 * 1024;

const BODY_PARSERS = new Set([BODY_PARSER_NAME, 'jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);

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

type AdminRequest = Request & { session?: unknown; express_formidable?: { parsed?: boolean } };

/** Errors already answered with a 400: express-formidable reports some twice (error event and parse callback). */
const answeredErrors = new WeakSet<object>();

/**
 * A body the form parser cannot read (malformed JSON or multipart, an unknown content type, a file where none is
 * allowed) is the client's fault: 400, not the 500 it would become. The session is loaded before the parser runs,
 * and the parser marks the request once it has read the body, so an error in between is the parser's.
 */
function refuseUnreadableBody(error: unknown, req: AdminRequest, res: Response, next: NextFunction): void {
  if (req.session === undefined || req.express_formidable?.parsed) {
    next(error);
    return;
  }
  if (typeof error === 'object' && error !== null) answeredErrors.add(error);
  if (!res.headersSent) res.status(400).type('text/plain').send('Bad Request: the request body could not be read as a form.');
}

/** The second report of an error answered above leaves the admin router after the answer: nothing more to do. */
function dropAnsweredError(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  if (typeof error === 'object' && error !== null && answeredErrors.has(error)) return;
  next(error);
}

const API_PATH = /^\/api\/resources\/([^/]+)(?:\/(?:actions|bulk)\/([^/]+)|\/records\/[^/]+\/([^/]+))?/;

/**
 * AdminJS answers an unknown resource or action with a TypeError (a 500); staff with a mistyped URL get a 404.
 * Runs after the session check, so only signed-in staff learn which resources exist.
 */
function refuseUnknownResourceOrAction(admin: AdminJS) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = API_PATH.exec(req.path);
    if (!match) {
      next();
      return;
    }
    const [, resourceId, resourceAction, recordAction] = match.map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
    const resource = admin.resources.find((candidate) => candidate._decorated?.id() === resourceId);
    const actionName = resourceAction ?? recordAction;
    if (!resource || (actionName !== undefined && !resource.decorate().actions[actionName])) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'No such resource or action.', code: 'not_found' });
      return;
    }
    next();
  };
}

/** A record id that does not exist, in a bulk action: AdminJS raises its NotFoundError, which is a 404. */
function answerAdminNotFound(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if ((error as { name?: unknown } | null)?.name !== 'NotFoundError' || res.headersSent) {
    next(error);
    return;
  }
  res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'No such record.', code: 'not_found' });
}

/** AdminJS's Express router with its session login, behind the body-size check. */
export function buildAdminRouter(admin: AdminJS, auth: AuthenticationOptions, sessionOptions: SessionOptions, formidableOptions: FormidableOptions): Router {
  const adminRouter = express.Router();
  adminRouter.use(limitBody);
  AdminJSExpress.buildAuthenticatedRouter(admin, auth, adminRouter, sessionOptions, formidableOptions);
  // Between AdminJS's session check and its API routes (Express 5 keeps a router's layers in order in its stack).
  adminRouter.use(refuseUnknownResourceOrAction(admin));
  const stack = (adminRouter as unknown as { stack: { route?: { path?: unknown } }[] }).stack;
  const check = stack.pop() as (typeof stack)[number];
  const firstApiRoute = stack.findIndex((layer) => typeof layer.route?.path === 'string' && layer.route.path.startsWith('/api/'));
  stack.splice(firstApiRoute === -1 ? stack.length : firstApiRoute, 0, check);
  adminRouter.use(refuseUnreadableBody, answerAdminNotFound);
  const router = express.Router();
  router.use(adminRouter, dropAnsweredError);
  return router;
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
