import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/src/index.js';
import { ThreadsRepository } from '../../threads/src/threads.repository.js';
import { ThreadsService } from '../../threads/src/threads.service.js';

export const TYPING_RELAY_INTERVAL_MS = 1000;

/** Typing indicators: members only, and at most one relay per user and thread per second unless the state flips. */
@Injectable()
export class TypingService {
  private readonly lastRelayed = new Map<string, { at: number; isTyping: boolean }>();

  constructor(
    private readonly threads: ThreadsService,
    private readonly threadRecords: ThreadsRepository,
  ) {}

  /** The users to tell, or null when this update is throttled. */
  async relay(actor: Actor, threadId: number, isTyping: boolean, now = Date.now()): Promise<number[] | null> {
    await this.threads.requireMembership(actor, threadId);
    const key = `${actor.id}:${threadId}`;
    const last = this.lastRelayed.get(key);
    if (last && last.isTyping === isTyping && now - last.at < TYPING_RELAY_INTERVAL_MS) return null;
    this.lastRelayed.set(key, { at: now, isTyping });
    this.forgetStale(now);
    const participantIds = await this.threadRecords.findParticipantIds(threadId);
    return participantIds.filter((id) => id !== actor.id);
  }

  /** Keeps the throttle table small: entries older than a few intervals no longer throttle anything. */
  private forgetStale(now: number): void {
    if (this.lastRelayed.size < 10_000) return;
    for (const [key, entry] of this.lastRelayed) {
      if (now - entry.at > TYPING_RELAY_INTERVAL_MS * 5) this.lastRelayed.delete(key);
    }
  }
}
