import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { asDomainError, databaseUnavailable, DomainEvents, OverloadedError, type MessageReadState } from '../../common/src/index.js';
import { AppConfig } from '../../config/src/index.js';
import { readStatesAfterEachMessage } from './batch-read-state.js';
import { MessagesRepository, type NewMessage, type StoredMessage } from './messages.repository.js';

/** A message the queue stored, with the thread's read state right after it. */
export interface SentMessage extends StoredMessage {
  readState: MessageReadState;
}

interface PendingSend {
  message: NewMessage;
  enqueuedAt: number;
  resolve: (sent: SentMessage | null) => void;
  reject: (error: unknown) => void;
}

/** Most rows in one statement: bounds the statement's size and the time a batch holds its threads' locks. */
const MAX_BATCH = 256;
// How often the event loop's delay is sampled, admission adjusted and stale sends answered.
const TICK_MS = 20;
// Admission while limited: never below 50 messages/s, a burst of at most 40 ms worth, lifted after 1 s of calm.
const MIN_ADMIT_PER_MS = 0.05;
const BURST_MS = 40;
const CALM_TICKS_TO_LIFT = 50;
const LIMITED_RETRY_AFTER_MS = 250;

const overloaded = (retryAfterMs: number): OverloadedError =>
  new OverloadedError(
    'The server is busy; nothing was stored. Send it again (same clientMessageId) after retryAfterMs.',
    Math.min(5_000, Math.max(LIMITED_RETRY_AFTER_MS, retryAfterMs)),
  );

/**
 * Group commit for sending: messages that arrive while the database is busy with a batch go to it together as the
 * next batch (one transaction, one statement, one WAL flush), each caller answered with its own row. In front of it
 * a bounded wait: when the oldest waiting message (or a batch in flight) has waited longer than the budget, or the
 * event loop itself runs that late, a send is refused at once with `overloaded` (nothing stored) instead of joining
 * a queue that only grows.
 *
 * Each batch publishes `message.created` for its messages, in seq order per thread, right after it committed.
 */
@Injectable()
export class MessageSendQueue implements OnModuleDestroy {
  private pending: PendingSend[] = [];
  private readonly inFlight = new Map<Promise<void>, number>();
  private flushScheduled = false;
  private readonly maxInFlight: number;
  private readonly budgetMs: number;
  private readonly maxWaitMs: number;
  private smoothedLoopDelayMs = 0;
  // Admission: null while every send is taken; else messages per ms, spent as tokens.
  private admitPerMs: number | null = null;
  private tokens = 0;
  private admittedSinceTick = 0;
  private recentAdmittedPerMs = 0;
  private calmTicks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly events: DomainEvents,
    config: AppConfig,
  ) {
    // The embedded database runs one statement at a time: a second batch would only wait. On a server, one batch
    // can be prepared and sent while the previous one commits.
    this.maxInFlight = config.database.kind === 'postgres' ? Math.min(2, config.database.poolSize) : 1;
    this.budgetMs = config.sendQueue.budgetMs;
    // Waiting for a batch is waiting for a connection: past the pool's connect timeout it is a 503, as it would be
    // for any other request (the database is unreachable and the batches in flight hang until their query timeout).
    this.maxWaitMs = config.database.kind === 'postgres' ? config.database.connectTimeoutMs : Number.POSITIVE_INFINITY;
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.adjustAdmission(now, now - last);
      last = now;
      this.expireStale(now);
    }, TICK_MS);
    this.timer.unref();
  }

  /**
   * Admission, before anything else is done with a send (it runs as a guard, ahead of validation, so that a refusal
   * costs little): throws `overloaded` when the server cannot take the message without queuing it for long.
   */
  admit(): void {
    if (this.budgetMs === 0) return;
    const now = performance.now();
    const waited = this.queueWaitMs(now);
    if (waited > this.budgetMs) throw overloaded(Math.round(waited));
    if (this.admitPerMs !== null) {
      if (this.tokens < 1) throw overloaded(LIMITED_RETRY_AFTER_MS);
      this.tokens -= 1;
    }
    this.admittedSinceTick += 1;
  }

  /** Stores the message in the next batch: the stored message, or null when nothing was stored (the caller tells why). */
  enqueue(message: NewMessage): Promise<SentMessage | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ message, enqueuedAt: performance.now(), resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Resolves once every message queued so far is stored (or refused by the database). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight.size > 0) {
      this.scheduleFlush();
      await Promise.all([...this.inFlight.keys(), new Promise((resolve) => setImmediate(resolve))]);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.drain();
  }

  private expireStale(now: number): void {
    if (this.pending.length === 0 || now - (this.pending[0]?.enqueuedAt ?? now) <= this.maxWaitMs) return;
    const stale = this.pending.filter((send) => now - send.enqueuedAt > this.maxWaitMs);
    this.pending = this.pending.filter((send) => now - send.enqueuedAt <= this.maxWaitMs);
    for (const send of stale) send.reject(databaseUnavailable());
  }

  private queueWaitMs(now: number): number {
    return now - Math.min(this.pending[0]?.enqueuedAt ?? now, ...this.inFlight.values());
  }

  /**
   * Every tick: while the event loop runs later than the budget (smoothed) or messages wait longer, admit fewer
   * messages (70% of what was admitted lately); once both are calm again, admit 5% more each tick until no limit is needed. Refusing some
   * sends early keeps the ones taken fast, where refusing all or none would swing between a stall and a flood.
   */
  private adjustAdmission(now: number, elapsedMs: number): void {
    if (this.budgetMs === 0) return;
    const admittedPerMs = this.admittedSinceTick / Math.max(1, elapsedMs);
    this.admittedSinceTick = 0;
    this.recentAdmittedPerMs = 0.7 * this.recentAdmittedPerMs + 0.3 * admittedPerMs;
    // Smoothed: one long turn (a GC pause, a big batch) is no reason to refuse anyone.
    // How much later than due this tick came.
    const loopDelayMs = Math.max(0, elapsedMs - TICK_MS);
    this.smoothedLoopDelayMs = 0.7 * this.smoothedLoopDelayMs + 0.3 * loopDelayMs;
    // At half the budget this refused sends at a third of the sustainable rate in the benchmark (a batch can take a
    // while when PostgreSQL flushes or checkpoints, without anything piling up): act at the budget itself.
    const pressed = Math.max(this.smoothedLoopDelayMs, this.queueWaitMs(now)) > this.budgetMs;
    if (pressed) {
      const base = this.admitPerMs === null ? this.recentAdmittedPerMs : Math.min(this.admitPerMs, this.recentAdmittedPerMs);
      this.admitPerMs = Math.max(MIN_ADMIT_PER_MS, 0.7 * base);
      this.calmTicks = 0;
    } else if (this.admitPerMs !== null) {
      this.calmTicks += 1;
      this.admitPerMs = this.admitPerMs * 1.05 + MIN_ADMIT_PER_MS;
      // Demand stays well below the limit: it is not needed any more.
      if (this.calmTicks > CALM_TICKS_TO_LIFT && this.recentAdmittedPerMs < this.admitPerMs / 2) this.admitPerMs = null;
    }
    if (this.admitPerMs === null) this.tokens = 0;
    else this.tokens = Math.min(this.tokens + this.admitPerMs * elapsedMs, this.admitPerMs * BURST_MS);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight.size >= this.maxInFlight || this.pending.length === 0) return;
    this.flushScheduled = true;
    // After this turn of the event loop: every frame already read joins the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight.size >= this.maxInFlight || this.pending.length === 0) return;
    const batch = this.takeBatch();
    const startedAt = performance.now();
    const done = this.store(batch).finally(() => {
      this.inFlight.delete(done);
      this.scheduleFlush();
    });
    this.inFlight.set(done, startedAt);
    this.scheduleFlush();
  }

  /** The oldest waiting sends, at most one per sender and clientMessageId (a repeat waits for the next batch). */
  private takeBatch(): PendingSend[] {
    const batch: PendingSend[] = [];
    const rest: PendingSend[] = [];
    const keys = new Set<string>();
    for (const send of this.pending) {
      const { senderId, clientMessageId } = send.message;
      const key = clientMessageId === null ? null : `${senderId}:${clientMessageId}`;
      if (batch.length >= MAX_BATCH || (key !== null && keys.has(key))) {
        rest.push(send);
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(send);
    }
    this.pending = rest;
    return batch;
  }

  private async store(batch: PendingSend[]): Promise<void> {
    let stored;
    try {
      stored = await this.messages.insertMessagesIdempotent(batch.map((send) => send.message));
    } catch (error) {
      for (const send of batch) send.reject(error);
      // The database cannot be reached: what waits behind this batch would fail the same way, later.
      if (asDomainError(error)?.code === 'database_unavailable') {
        const waiting = this.pending;
        this.pending = [];
        for (const send of waiting) send.reject(error);
      }
      return;
    }
    const { results, before } = stored;
    const sent = results.filter((result): result is StoredMessage => result !== null);
    const readStates = readStatesAfterEachMessage(
      before,
      sent.map(({ record }) => record),
    );
    const answers = new Map<StoredMessage, SentMessage>();
    sent.forEach((message, i) => {
      const { record, previousAt } = message;
      answers.set(message, { ...message, readState: readStates[i] });
      this.events.publish({ type: 'message.created', threadId: record.threadId, message: record, previousAt, readState: readStates[i] });
    });
    batch.forEach((send, i) => {
      const result = results[i];
      send.resolve(result ? (answers.get(result) ?? null) : null);
    });
  }
}
