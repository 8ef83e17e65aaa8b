import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { ForbiddenError, type Actor } from '../../common/src/index.js';
import { AuthService } from './auth.service.js';

export const SESSION_COOKIE = 'parley_session';
// Not 'session': passport registers its own strategy (express-session logins) under that name.
export const WEB_SESSION_STRATEGY = 'web-session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A cookie-authenticated unsafe request (or socket handshake) must come from our own pages: CSRF and cross-site
 * WebSocket hijacking defence on top of SameSite=Lax.
 */
export function isSameOrigin(headers: IncomingHttpHeaders): boolean {
  const { origin } = headers;
  if (origin) {
    try {
      return new URL(origin).host === headers.host;
    } catch {
      return false;
    }
  }
  return headers['sec-fetch-site'] === 'same-origin';
}

/** The web inbox's httpOnly session cookie (an opaque token; the session lives in `web_sessions`). */
@Injectable()
export class WebSessionStrategy extends PassportStrategy(Strategy, WEB_SESSION_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  /** null: not this strategy's request (passport then refuses it, see JwtStrategy.refusal). */
  async validate(req: Request): Promise<Actor | null> {
    // A request with an Authorization header is the JWT strategy's, whatever the header holds.
    if (req.headers.authorization) return null;
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!token) return null;
    if (!SAFE_METHODS.has(req.method) && !isSameOrigin(req.headers)) {
      throw new ForbiddenError('cross_origin', 'Cookie-authenticated requests must come from the same origin.');
    }
    return this.auth.authenticateWebSession(token);
  }
}
