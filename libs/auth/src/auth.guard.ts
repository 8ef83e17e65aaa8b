import type { IncomingHttpHeaders } from 'node:http';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, IS_PUBLIC, UnauthorizedError } from '../../common/src/index.js';
import { accessTokenFromHeader, AUTHORIZATION_HINT } from './authorization-header.js';
import { AuthService } from './auth.service.js';

export const SESSION_COOKIE = 'parley_session';
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

/** Global guard: an access JWT (`Bearer` or `JWT` header), or the web inbox's session cookie; routes marked @Public() are open. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();

    const authorization = req.get('authorization');
    if (authorization) {
      const token = accessTokenFromHeader(authorization);
      if (!token) throw new UnauthorizedError('invalid_token', `Use ${AUTHORIZATION_HINT}.`);
      req.actor = await this.auth.authenticateAccessToken(token);
      return true;
    }

    const sessionToken = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (sessionToken) {
      if (!SAFE_METHODS.has(req.method) && !isSameOrigin(req.headers)) {
        throw new ForbiddenError('cross_origin', 'Cookie-authenticated requests must come from the same origin.');
      }
      req.actor = await this.auth.authenticateWebSession(sessionToken);
      return true;
    }
    throw new UnauthorizedError('not_authenticated', `Authentication required: send ${AUTHORIZATION_HINT}.`);
  }
}
