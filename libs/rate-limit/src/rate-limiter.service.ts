import { Injectable } from '@nestjs/common';
import { AppConfig, type RateLimitPolicy, type RateLimits } from '../../config/src/index.js';
import { RateLimitedError } from '../../common/src/index.js';
import { RateLimitStore } from './rate-limit.store.js';

export type RateLimitedAction = 'signIn' | 'messageSend' | 'socketConnect';

/** Who is acting: the signed-in user, or for sign-in the username tried and the client address. */
export interface RateLimitSubject {
  userId?: number;
  username?: string;
  address?: string;
}

/**
 * Counts attempts per subject (in memory, or in Redis when configured) and refuses the ones over the configured
 * limits with a `rate_limited` error that says when to try again.
 */
@Injectable()
export class RateLimiter {
  private readonly limits: RateLimits;

  constructor(
    config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.limits = config.rateLimits;
  }

  async consume(action: RateLimitedAction, subject: RateLimitSubject): Promise<void> {
    switch (action) {
      case 'signIn':
        // Both counts move on every attempt: one address cannot try many names, nor many addresses one name.
        await Promise.all([
          this.hit('sign-in-address', subject.address, this.limits.signInPerAddress, 'Too many sign-in attempts from this address.'),
          this.hit('sign-in-user', subject.username?.trim().toLowerCase(), this.limits.signInPerUser, 'Too many sign-in attempts for this account.'),
        ]);
        return;
      case 'messageSend':
        await this.hit('message-send', subject.userId, this.limits.messageSend, 'Too many messages; slow down.');
        return;
      case 'socketConnect':
        await this.hit('socket-connect', subject.userId, this.limits.socketConnect, 'Too many connections for this user.');
        return;
      default: {
        const unreachable: never = action;
        throw new Error(`unknown rate-limited action ${String(unreachable)}`);
      }
    }
  }

  private async hit(name: string, key: string | number | undefined, policy: RateLimitPolicy, message: string): Promise<void> {
    if (policy.limit === 0 || key === undefined || key === '') return;
    // Over the limit, the subject waits out one window from the refused attempt.
    const hit = await this.store.hit(`${name}:${key}`, policy.windowMs, policy.limit, policy.windowMs);
    if (hit.blocked) throw new RateLimitedError(message, Math.max(1, Math.ceil(hit.blockedForMs / 1000)));
  }
}
