import { applyDecorators, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Socket } from 'socket.io';
import type { Actor } from '../../common/src/index.js';
import { RateLimiter, type RateLimitedAction, type RateLimitSubject } from './rate-limiter.service.js';

const RATE_LIMITED_ACTION = 'parley:rate-limited-action';

/** Applies @RateLimit on REST routes and socket events alike; over the limit it raises `rate_limited`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const action = this.reflector.get<RateLimitedAction | undefined>(RATE_LIMITED_ACTION, context.getHandler());
    if (action) await this.limiter.consume(action, this.subjectOf(context));
    return true;
  }

  private subjectOf(context: ExecutionContext): RateLimitSubject {
    if (context.getType() === 'ws') {
      const actor = (context.switchToWs().getClient<Socket>().data as { actor?: Actor }).actor;
      return { userId: actor?.id };
    }
    const req = context.switchToHttp().getRequest<Request>();
    const body = req.body as { username?: unknown } | undefined;
    return {
      userId: req.actor?.id,
      username: typeof body?.username === 'string' ? body.username : undefined,
      // With TRUST_PROXY set, the client's address as the proxy reported it.
      address: req.ip,
    };
  }
}

/** Counts a handler's calls against one of the configured limits (see RateLimiter), on REST routes and socket events. */
export const RateLimit = (action: RateLimitedAction): MethodDecorator => applyDecorators(SetMetadata(RATE_LIMITED_ACTION, action), UseGuards(RateLimitGuard));
