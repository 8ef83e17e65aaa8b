/** A message's change as the update order sees it. */
export interface RevisedItem {
  messageId: number;
  threadId: number;
  seq: number;
  /** +1 with every stored change of the message: a higher revision is a later state. */
  revision: number;
}

export interface MessageUpdateOrderOptions<T extends RevisedItem> {
  /** Delivers updates to this instance's sockets. */
  deliver: (items: T[]) => void;
  /** Whether the message's `message:new` went out here already (ThreadDeliveryOrder.hasDelivered). */
  newDelivered: (threadId: number, seq: number) => boolean;
  /** A message whose newest update is this old (and delivered) is forgotten. */
  forgetMs: number;
  now?: () => number;
}

interface Known<T> {
  revision: number;
  /** The newest update; null when a `message:new` carried the newest state known. */
  latest: T | null;
  /** `latest` waits for the message's `message:new`. */
  waiting: boolean;
  at: number;
}

/**
 * Makes every socket of this instance end on a message's stored state, however its updates arrive (this instance's
 * and other instances', racing edits and deletes):
 * - an update no newer than one already delivered (or already carried by a `message:new`) is dropped, so a socket
 *   sees a message's revisions only in increasing order, and the last one it gets is the newest;
 * - an update of a message whose `message:new` has not gone out here yet waits for it, and goes out right after
 *   it (the newest one only), or once the thread's delivery moved past that seq without it;
 * - a `message:new` that goes out after a newer update of its message (the update came first from a thread this
 *   instance had no deliveries in flight for) is followed by that update again.
 */
export class MessageUpdateOrder<T extends RevisedItem> {
  private readonly known = new Map<number, Known<T>>();
  /** Per thread, the messages with an update waiting for their `message:new`. */
  private readonly waitingByThread = new Map<number, Set<number>>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: MessageUpdateOrderOptions<T>) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.forgetOld(), Math.max(1_000, options.forgetMs / 2));
    this.sweeper.unref();
  }

  accept(item: T): void {
    const known = this.known.get(item.messageId);
    if (known && known.revision >= item.revision) return;
    if (this.options.newDelivered(item.threadId, item.seq)) {
      this.known.set(item.messageId, { revision: item.revision, latest: item, waiting: false, at: this.now() });
      this.options.deliver([item]);
      return;
    }
    this.known.set(item.messageId, { revision: item.revision, latest: item, waiting: true, at: this.now() });
    let waiting = this.waitingByThread.get(item.threadId);
    if (!waiting) this.waitingByThread.set(item.threadId, (waiting = new Set()));
    waiting.add(item.messageId);
  }

  /**
   * `message:new` just went out for these messages (one thread's, in seq order), each carrying the state of its
   * revision. Delivers the updates that waited for them (or for seqs the delivery has now passed).
   */
  afterNew(threadId: number, delivered: { messageId: number; seq: number; revision: number }[]): void {
    const now = this.now();
    const ready: T[] = [];
    for (const message of delivered) {
      const known = this.known.get(message.messageId);
      if (known && known.revision > message.revision && known.latest) {
        // The frame just sent is older than the newest update: that update follows it.
        ready.push(known.latest);
        known.waiting = false;
        known.at = now;
      } else if (!known || known.revision <= message.revision) {
        // A message:new read from the database carries the state it read: updates no newer are stale.
        this.known.set(message.messageId, { revision: message.revision, latest: null, waiting: false, at: now });
      }
    }
    const waiting = this.waitingByThread.get(threadId);
    if (waiting) {
      for (const messageId of waiting) {
        const known = this.known.get(messageId);
        if (known?.waiting && known.latest && !this.options.newDelivered(threadId, known.latest.seq)) continue;
        // Its message:new went out (just now, or the delivery passed its seq without it).
        if (known?.waiting && known.latest) {
          ready.push(known.latest);
          known.waiting = false;
          known.at = now;
        }
        waiting.delete(messageId);
      }
      if (waiting.size === 0) this.waitingByThread.delete(threadId);
    }
    if (ready.length > 0) this.options.deliver(ready.sort((a, b) => a.seq - b.seq));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.known.clear();
    this.waitingByThread.clear();
  }

  private forgetOld(): void {
    const cutoff = this.now() - this.options.forgetMs;
    for (const [messageId, known] of this.known) if (!known.waiting && known.at < cutoff) this.known.delete(messageId);
  }
}
