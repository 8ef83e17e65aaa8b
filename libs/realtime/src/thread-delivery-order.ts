/** A thread's message as the order keeper sees it. */
export interface SequencedItem {
  threadId: number;
  seq: number;
  /** When the thread's previous message was stored (epoch ms); null when this is its first. */
  previousAt: number | null;
}

export interface DeliveryOrderOptions<T extends SequencedItem> {
  /** How long a later message waits for a missing earlier one before that one is read from the database. */
  gapWaitMs: number;
  /** A message whose predecessor was stored longer ago than this cannot have that predecessor still in flight. */
  stragglerWindowMs: number;
  /** A thread with nothing held and nothing delivered for this long is forgotten. */
  idleForgetMs: number;
  /** Delivers a thread's messages, in seq order. */
  deliver: (items: T[]) => void;
  /** The thread's stored messages with afterSeq < seq < beforeSeq, oldest first. */
  readMissing: (threadId: number, afterSeq: number, beforeSeq: number) => Promise<T[]>;
  onError: (error: unknown) => void;
  now?: () => number;
}

interface ThreadState<T> {
  /** The last seq delivered; null until the thread's place is known. */
  lastSeq: number | null;
  held: Map<number, T>;
  timer?: NodeJS.Timeout;
  /** A read of missing messages is under way: no second one until it is back. */
  reading: boolean;
  lastActivity: number;
}

/**
 * Keeps each thread's `message:new` in seq order, without gaps, for the sockets of this instance, whichever instance
 * or database connection stored and published each message: per thread the last seq delivered, and a later message
 * is held until the missing ones arrive. Seq N+1 exists only after N committed, so a message still missing after a
 * short wait is read from the database (its publisher may have died, or Redis dropped it) and delivered in its place.
 *
 * A thread this instance has not seen recently starts at the first message that arrives, unless its predecessor was
 * stored so recently that it may still be on its way: then that message waits briefly for it.
 */
export class ThreadDeliveryOrder<T extends SequencedItem> {
  private readonly threads = new Map<number, ThreadState<T>>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: DeliveryOrderOptions<T>) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.forgetIdle(), Math.max(1_000, options.idleForgetMs / 2));
    this.sweeper.unref();
  }

  accept(item: T): void {
    const now = this.now();
    let state = this.threads.get(item.threadId);
    if (!state) {
      const settled = item.previousAt === null || now - item.previousAt > this.options.stragglerWindowMs;
      state = { lastSeq: settled ? item.seq - 1 : null, held: new Map(), reading: false, lastActivity: now };
      this.threads.set(item.threadId, state);
    }
    state.lastActivity = now;
    // Delivered already (a duplicate), or older than what was delivered (it was read from the database meanwhile).
    if (state.lastSeq !== null && item.seq <= state.lastSeq) return;
    state.held.set(item.seq, item);
    this.release(item.threadId, state);
  }

  /**
   * Whether the message with this seq went out already (or is not to be waited for): true when the thread's last
   * delivered seq reached it, and for a thread with nothing in flight here (not seen since the start, or forgotten
   * as idle: its messages went out long ago). False while it is held, or its thread's place is still unknown.
   */
  hasDelivered(threadId: number, seq: number): boolean {
    const state = this.threads.get(threadId);
    if (!state) return true;
    return state.lastSeq !== null && state.lastSeq >= seq;
  }

  /** Stops the timers (shutdown). Held messages are dropped: clients catch up with afterSeq. */
  close(): void {
    clearInterval(this.sweeper);
    for (const state of this.threads.values()) clearTimeout(state.timer);
    this.threads.clear();
  }

  private release(threadId: number, state: ThreadState<T>): void {
    if (state.lastSeq !== null) {
      const ready: T[] = [];
      for (let next = state.held.get(state.lastSeq + 1); next; next = state.held.get(state.lastSeq + 1)) {
        state.held.delete(next.seq);
        ready.push(next);
        state.lastSeq = next.seq;
      }
      if (ready.length > 0) this.options.deliver(ready);
    }
    if (state.held.size === 0) {
      clearTimeout(state.timer);
      state.timer = undefined;
    } else if (!state.reading) {
      state.timer ??= setTimeout(() => this.fillGap(threadId, state), this.options.gapWaitMs);
    }
  }

  private fillGap(threadId: number, state: ThreadState<T>): void {
    state.timer = undefined;
    const first = Math.min(...state.held.keys());
    // A thread whose place was unknown starts at the first message that arrived.
    if (state.lastSeq === null) {
      state.lastSeq = first - 1;
      this.release(threadId, state);
      return;
    }
    state.reading = true;
    const settle = (missing: T[]): void => {
      state.reading = false;
      if (this.threads.get(threadId) !== state || state.lastSeq === null) return;
      for (const item of missing) if (item.seq > state.lastSeq && !state.held.has(item.seq)) state.held.set(item.seq, item);
      // Whatever is still missing is gone (its thread was deleted, say): go on after it.
      if (state.held.size > 0 && !state.held.has(state.lastSeq + 1)) state.lastSeq = Math.min(...state.held.keys()) - 1;
      this.release(threadId, state);
    };
    this.options.readMissing(threadId, state.lastSeq, first).then(settle, (error: unknown) => {
      this.options.onError(error);
      settle([]);
    });
  }

  private forgetIdle(): void {
    const cutoff = this.now() - this.options.idleForgetMs;
    for (const [threadId, state] of this.threads) {
      if (state.held.size === 0 && state.lastActivity < cutoff) this.threads.delete(threadId);
    }
  }
}
