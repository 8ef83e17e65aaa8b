import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { IS_PUBLIC } from '../../common/src/index.js';
import { JWT_STRATEGY, JwtStrategy } from './jwt.strategy.js';
import { ParleyPassport, type StrategyChain } from './parley-passport.js';
import { WEB_SESSION_STRATEGY } from './web-session.strategy.js';

/** The Bearer access JWT first; without an Authorization header, the web inbox's session cookie. */
const STRATEGIES = [JWT_STRATEGY, WEB_SESSION_STRATEGY];

/**
 * The global guard: passport tries the strategies and the actor goes on `req.actor`. Routes marked @Public() are
 * open; socket events were authenticated at the handshake.
 */
@Injectable()
export class GlobalAuthGuard extends AuthGuard(STRATEGIES) {
  private readonly strategies: StrategyChain;

  constructor(
    private readonly reflector: Reflector,
    passport: ParleyPassport,
  ) {
    super();
    this.strategies = passport.chain(STRATEGIES);
  }

  /**
   * AuthGuard's canActivate, but with this application's strategies (AuthGuard's come from passport's process-wide
   * registry, see ParleyPassport) and without its per-request option merging: this runs on every REST request.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    return new Promise((resolve, reject) => {
      this.strategies.run(req, (error, actor) => {
        // A strategy's own error (invalid session, cross-origin, database down) stands; no strategy took it: a 401.
        if (error) reject(error);
        else if (!actor) reject(JwtStrategy.refusal(req));
        else {
          req.actor = actor;
          resolve(true);
        }
      });
    });
  }
}
