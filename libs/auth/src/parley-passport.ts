import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Strategy } from 'passport';
import { UnauthorizedError, type Actor } from '../../common/src/index.js';
import { JWT_STRATEGY, JwtStrategy, type VerifiedAccessToken } from './jwt.strategy.js';
import { WEB_SESSION_STRATEGY, WebSessionStrategy } from './web-session.strategy.js';

/** The outcome: an error (a strategy's own refusal, or a failure), else the actor or false, and the strategy's info. */
export type AuthenticationDone = (error: Error | null, actor: Actor | false, info?: unknown) => void;

const SESSIONLESS = { session: false };
// A step's place in its chain, and an attempt's request state (symbols: no strategy field can collide with them).
const CHAIN = Symbol('chain');
const POSITION = Symbol('position');
const REQUEST = Symbol('request');
const DONE = Symbol('done');

interface Attempt {
  [CHAIN]: StrategyChain;
  [POSITION]: number;
  [REQUEST]: Request;
  [DONE]: AuthenticationDone;
  authenticate(req: Request, options: object): void;
}

// passport's actions, defined once: `this` is the attempt, whose prototype chain leads to its strategy.
function success(this: Attempt, actor: Actor, info?: unknown): void {
  this[DONE](null, actor, info);
}
function fail(this: Attempt): void {
  this[CHAIN].run(this[REQUEST], this[DONE], this[POSITION] + 1);
}
function error(this: Attempt, cause: Error): void {
  this[DONE](cause, false);
}
// Redirects and session passes belong to login flows, which none of Parley's strategies have.
function unsupported(this: Attempt): void {
  this[DONE](new Error('a strategy asked for a login flow'), false);
}

/**
 * Strategies tried in order with passport's strategy protocol, as `passport.authenticate()` does it: a per-request
 * object whose prototype is the strategy (with the actions) runs the strategy's `authenticate`; the first success or
 * error ends the chain, a failure tries the next strategy, and when all fail nobody took the request.
 */
export class StrategyChain {
  private readonly steps: object[];

  constructor(strategies: readonly Strategy[]) {
    this.steps = strategies.map((strategy, position) =>
      Object.assign(Object.create(strategy) as object, { success, fail, error, redirect: unsupported, pass: unsupported, [CHAIN]: this, [POSITION]: position }),
    );
  }

  run(req: Request, done: AuthenticationDone, position = 0): void {
    const step = this.steps[position];
    if (!step) {
      done(null, false);
      return;
    }
    const attempt = Object.create(step) as Attempt;
    attempt[REQUEST] = req;
    attempt[DONE] = done;
    try {
      attempt.authenticate(req, SESSIONLESS);
    } catch (cause) {
      done(cause instanceof Error ? cause : new Error(String(cause)), false);
    }
  }
}

/**
 * This application's passport strategies. Not run through `passport.authenticate()`, for two reasons:
 * - it uses passport's process-wide registry (so do @nestjs/passport's AuthGuard and PassportStrategy): several
 *   applications in one process, as the tests run them, would check each other's tokens with each other's secret
 *   and database;
 * - its middleware adds seven properties to every request (`login`, `logout`, `isAuthenticated`, … for passport's
 *   session logins, unused here), which measured 25–35 µs of server CPU per request (README, "Authentication").
 */
@Injectable()
export class ParleyPassport {
  private readonly strategies: ReadonlyMap<string, Strategy>;
  private readonly accessToken: StrategyChain;

  constructor(jwt: JwtStrategy, webSession: WebSessionStrategy) {
    this.strategies = new Map<string, Strategy>([
      [JWT_STRATEGY, jwt],
      [WEB_SESSION_STRATEGY, webSession],
    ]);
    this.accessToken = this.chain([JWT_STRATEGY]);
  }

  /** The named strategies, in this order, as one reusable chain. */
  chain(names: readonly string[]): StrategyChain {
    return new StrategyChain(
      names.map((name) => {
        const strategy = this.strategies.get(name);
        if (!strategy) throw new Error(`unknown strategy ${name}`);
        return strategy;
      }),
    );
  }

  /**
   * The token of a Socket.IO handshake (`auth.token`), checked by JwtStrategy exactly as a REST request's Bearer token
   * is: it is presented to the strategy as such a request would carry it.
   */
  verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    const request = { headers: { authorization: `Bearer ${token}` } } as Request;
    return new Promise((resolve, reject) => {
      this.accessToken.run(request, (cause, actor, claims) => {
        if (cause) reject(cause);
        else if (!actor) reject(new UnauthorizedError('invalid_token', 'The access token is invalid or expired.'));
        else resolve({ actor, expiresAt: new Date((claims as { exp: number }).exp * 1000) });
      });
    });
  }
}
