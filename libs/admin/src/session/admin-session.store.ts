import session, { type SessionData } from 'express-session';
import type { AdminSessionsRepository } from './admin-sessions.repository.js';

// Expired rows are deleted now and then while sessions are written, rather than by a timer the process would have to stop.
const PRUNE_EVERY_MS = 10 * 60 * 1000;

type Callback = (error?: unknown) => void;

/**
 * express-session's store on the application's own database connection: sessions survive restarts and are shared
 * by every instance, and the embedded database (one pooled connection) is not asked for a second one, as a store
 * with its own pool (connect-pg-simple) would.
 */
export class AdminSessionStore extends session.Store {
  private lastPrune = 0;

  constructor(
    private readonly sessions: AdminSessionsRepository,
    private readonly ttlMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    this.sessions.findLive(sid).then(
      (data) => callback(null, data as SessionData | null),
      (error: unknown) => callback(error),
    );
  }

  override set(sid: string, data: SessionData, callback?: Callback): void {
    this.settle(
      this.prune().then(() => this.sessions.upsert(sid, data as unknown as Record<string, unknown>, this.expiryOf(data))),
      callback,
    );
  }

  override touch(sid: string, data: SessionData, callback?: Callback): void {
    this.settle(this.sessions.extend(sid, this.expiryOf(data)), callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.settle(this.sessions.delete(sid), callback);
  }

  private expiryOf(data: SessionData): Date {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.ttlMs);
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.sessions.deleteExpired();
  }

  private settle(work: Promise<void>, callback: Callback | undefined): void {
    work.then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}
