import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { UnauthorizedError, type Actor } from '../../common/src/index.js';
import { JWT_STRATEGY, JwtStrategy, type VerifiedAccessToken } from './jwt.strategy.js';
import { WEB_SESSION_STRATEGY, WebSessionStrategy } from './web-session.strategy.js';

/** passport's answer: an error (a strategy's own refusal, or a failure), else the actor or false, and the strategy's info. */
export type AuthenticationDone = (error: Error | null | undefined, actor?: Actor | false, info?: unknown) => void;

type Middleware = (req: Request, res: Response, next: (error?: Error) => void) => void;

const SESSIONLESS = { session: false };

/**
 * This application's passport: an Authenticator of its own, with the two strategies registered by name. Not passport's
 * process-wide singleton (which @nestjs/passport's AuthGuard and PassportStrategy use): several applications in one
 * process, as the tests run them, would then check each other's tokens with each other's secret and database. The
 * registrations PassportStrategy also makes on the singleton are left unused.
 */
@Injectable()
export class ParleyPassport {
  private readonly authenticator = new passport.Authenticator();

  constructor(jwt: JwtStrategy, webSession: WebSessionStrategy) {
    this.authenticator.use(JWT_STRATEGY, jwt);
    this.authenticator.use(WEB_SESSION_STRATEGY, webSession);
  }

  /** Tries `strategies` in order on an HTTP request, as `passport.authenticate(strategies, {session: false}, done)`. */
  authenticate(req: Request, res: Response, strategies: string[], done: AuthenticationDone): void {
    (this.authenticator.authenticate(strategies, SESSIONLESS, done) as Middleware)(req, res, done);
  }

  /**
   * The token of a Socket.IO handshake (`auth.token`), checked by JwtStrategy exactly as a REST request's Bearer token
   * is: it is presented to passport as such a request would carry it.
   */
  verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    const request = { headers: { authorization: `Bearer ${token}` } } as Request;
    return new Promise((resolve, reject) => {
      this.authenticate(request, {} as Response, [JWT_STRATEGY], (error, actor, claims) => {
        if (error) reject(error);
        else if (!actor) reject(new UnauthorizedError('invalid_token', 'The access token is invalid or expired.'));
        else resolve({ actor, expiresAt: new Date((claims as { exp: number }).exp * 1000) });
      });
    });
  }
}
