import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/src/index.js';
import { PresenceRepository } from './presence.repository.js';

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * This instance's share of presence: how many sockets each user has connected here, kept in memory, and in the
 * database only the transitions (a user's first socket here, its last one gone), batched: everything that changed
 * within `flushMs` is written in one statement, so a connect storm of 10,000 sockets costs one statement, and a
 * reconnect inside the window costs none. A heartbeat keeps the instance's rows counting; a clean shutdown removes
 * them, a crash leaves them to expire (PRESENCE_TTL_MS). Starts with the first connection: a process that never
 * takes one (the seed, a test without sockets) writes nothing.
 */
@Injectable()
export class PresenceTracker implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PresenceTracker.name);
  readonly instanceId = randomUUID();
  private readonly settings: AppConfig['presence'];
  /** Connected sockets per user, on this instance. */
  private readonly localSockets = new Map<number, number>();
  /** Users this instance's rows list as online, as far as the last successful write knows. */
  private readonly written = new Set<number>();
  /** Users whose local count crossed zero since the last write. */
  private readonly changed = new Set<number>();
  private started?: Promise<void>;
  private heartbeatTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private beating?: Promise<void>;
  /** The last write failed: the next heartbeat retries it. */
  private failedLast = false;
  private stopped = false;

  constructor(
    private readonly presence: PresenceRepository,
    config: AppConfig,
  ) {
    this.settings = config.presence;
  }

  connected(userId: number): void {
    if (this.stopped) return;
    const sockets = (this.localSockets.get(userId) ?? 0) + 1;
    this.localSockets.set(userId, sockets);
    if (sockets === 1) this.markChanged(userId);
  }

  disconnected(userId: number): void {
    if (this.stopped) return;
    const sockets = this.localSockets.get(userId) ?? 0;
    if (sockets > 1) {
      this.localSockets.set(userId, sockets - 1);
      return;
    }
    this.localSockets.delete(userId);
    this.markChanged(userId);
  }

  /** Runs before the database closes: the last write settles, then this instance's rows go. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.flushTimer);
    if (!this.started) return;
    await this.started;
    // A heartbeat or write still on its way must land before the removal, not re-create the row after it.
    await Promise.all([this.beating, this.flushing]);
    try {
      await this.presence.removeInstance(this.instanceId);
    } catch (error) {
      this.logger.warn(`presence rows of this instance not removed (they expire by themselves): ${reason(error)}`);
    }
  }

  private markChanged(userId: number): void {
    this.changed.add(userId);
    this.started ??= this.start();
    this.scheduleFlush(this.settings.flushMs);
  }

  private async start(): Promise<void> {
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.settings.heartbeatMs);
    this.heartbeatTimer.unref();
    await this.heartbeat();
  }

  private heartbeat(): Promise<void> {
    if (this.stopped || this.beating) return this.beating ?? Promise.resolve();
    this.beating = this.beat().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async beat(): Promise<void> {
    try {
      const { wasMissing } = await this.presence.heartbeat(this.instanceId, this.settings.ttlMs);
      if (wasMissing) {
        // Nothing of this instance is in the table (any more): write every local user again.
        this.written.clear();
        for (const userId of this.localSockets.keys()) this.changed.add(userId);
      }
    } catch (error) {
      this.logger.warn(`presence heartbeat failed: ${reason(error)}`);
    }
    // Also retries a write that failed.
    if (this.changed.size > 0) this.scheduleFlush(0);
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      // One write at a time; the one running reschedules when it ends.
      if (this.flushing) return;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.changed.size > 0 && !this.failedLast) this.scheduleFlush(this.settings.flushMs);
      });
    }, delayMs);
    this.flushTimer.unref();
  }

  private async flush(): Promise<void> {
    await this.started;
    const userIds = [...this.changed];
    this.changed.clear();
    const cameOnline = userIds.filter((userId) => this.localSockets.has(userId) && !this.written.has(userId));
    const wentOffline = userIds.filter((userId) => !this.localSockets.has(userId) && this.written.has(userId));
    if (cameOnline.length === 0 && wentOffline.length === 0) return;
    try {
      await this.presence.writeTransitions(this.instanceId, cameOnline, wentOffline);
      for (const userId of cameOnline) this.written.add(userId);
      for (const userId of wentOffline) this.written.delete(userId);
      this.failedLast = false;
    } catch (error) {
      // Tried again at the next heartbeat, not in a tight loop while the database is away.
      for (const userId of userIds) this.changed.add(userId);
      this.failedLast = true;
      this.logger.warn(`presence of ${userIds.length} user(s) not written: ${reason(error)}`);
    }
  }
}
