import { io, type Socket } from 'socket.io-client';
import { messageBody, otherMembers, printable, threadName } from './format.js';
import { ParleyHttpError, type Message, type ParleySession, type Thread, type User } from './parley-client.js';

export interface ListenOutput {
  /** One line per live event. */
  out: (line: string) => void;
  /** Connection status and problems. */
  err: (line: string) => void;
  signal?: AbortSignal;
  /** One JSON object per event and line (`{"event", "data"}`), for scripts, instead of readable lines. */
  json?: boolean;
}

/** What a fatal problem while listening is reported as; the CLI turns it into its message and exit code. */
export class ListenFailedError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ListenFailedError';
  }
}

/** The server refused this many handshakes in a row even with a fresh token: give up. */
const MAX_REFUSALS = 4;
/** Threads read at start to name users and threads, and to know the last seq of each (catch-up). */
const THREAD_PAGES_AT_START = 5;

const clock = (date: Date): string => date.toTimeString().slice(0, 8);

/** Loose readers for event payloads: the server is trusted to send the contract, but a CLI should not crash on surprises. */
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/**
 * Streams the live events of a signed-in user as readable lines until the signal aborts.
 * Reconnects by itself: with a fresh token after `auth:expired` or a refused handshake, and after any disconnect
 * fetches what it missed (`afterSeq`), so every message is printed exactly once, in seq order per thread.
 */
export class Listener {
  private me: User | undefined;
  private readonly users = new Map<number, string>();
  private readonly threads = new Map<number, Thread>();
  /** The last seq printed (or known at start) per thread. */
  private readonly lastSeq = new Map<number, number>();
  /** Events are handled one at a time, in arrival order, even when naming something needs an HTTP lookup. */
  private queue: Promise<void> = Promise.resolve();
  private socket: Socket | undefined;
  private connectedOnce = false;
  private reportedDown = false;
  private refusals = 0;
  private done = false;
  private finish: (outcome: { code: 0 } | { error: Error }) => void = () => undefined;

  constructor(
    private readonly session: ParleySession,
    private readonly output: ListenOutput,
  ) {}

  /** Resolves when the signal aborts (after closing the connection); rejects with ListenFailedError on a fatal problem. */
  async run(): Promise<void> {
    const { signal } = this.output;
    if (signal?.aborted) return;
    await this.loadThreads();
    if (signal?.aborted) return;

    const outcome = await new Promise<{ code: 0 } | { error: Error }>((resolve) => {
      const onAbort = (): void => this.finish({ code: 0 });
      this.finish = (result) => {
        if (this.done) return;
        this.done = true;
        signal?.removeEventListener('abort', onAbort);
        this.socket?.removeAllListeners();
        this.socket?.offAny();
        this.socket?.disconnect();
        resolve(result);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.connect();
    });
    // Let the lines already queued be printed before returning.
    await this.queue;
    if ('error' in outcome) throw outcome.error;
  }

  private connect(): void {
    const base = new URL(this.session.client.baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    // The path of the base URL is a proxy prefix, not a Socket.IO namespace: connect to the origin's default namespace.
    const socket = io(base.origin, {
      path: `${prefix}/socket.io`,
      auth: (send) => {
        this.session.validAccessToken().then(
          (token) => send({ token }),
          (error: unknown) => {
            if (error instanceof ParleyHttpError && error.status === 401) {
              this.finish({ error: new ListenFailedError('sign-in failed: wrong username or password', error) });
              return;
            }
            // Could not renew (the server is going away?): try with what we have; a refusal renews again.
            send({ token: this.session.accessToken });
          },
        );
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      forceNew: true,
    });
    this.socket = socket;

    socket.on('connect_error', (error: Error) => {
      if (this.done) return;
      if (socket.active) {
        // The transport failed: the manager retries by itself, with backoff.
        if (!this.reportedDown) this.output.err(`cannot reach Parley at ${this.session.client.baseUrl} (${error.message}); retrying…`);
        this.reportedDown = true;
        return;
      }
      // The server refused the handshake ("unauthorized"): renew the token and try again, a few times.
      this.refusals += 1;
      if (this.refusals > MAX_REFUSALS) {
        this.finish({ error: new ListenFailedError(`the server refused the live connection: ${error.message}`) });
        return;
      }
      this.session.markStale();
      setTimeout(() => {
        if (!this.done) socket.connect();
      }, 250 * this.refusals);
    });

    socket.on('auth:expired', () => {
      if (this.done) return;
      this.output.err('access token expired; refreshing it and reconnecting');
      this.session.markStale();
    });

    socket.on('disconnect', (reason: string) => {
      if (this.done || reason === 'io client disconnect') return;
      // Refresh on any disconnect: the token may be what ended it, and a fresh one costs one request.
      this.session.markStale();
      if (reason === 'io server disconnect') {
        // The server ended the connection (token expiry): Socket.IO leaves reconnecting to us.
        this.output.err('disconnected by the server; reconnecting');
        socket.connect();
      } else {
        this.output.err(`disconnected (${reason}); reconnecting`);
      }
    });

    socket.on('hello', (data: unknown) => {
      this.reportedDown = false;
      this.refusals = 0;
      const again = this.connectedOnce;
      this.connectedOnce = true;
      this.enqueue(async () => {
        const payload = obj(data);
        const user = obj(payload.user) as Partial<User>;
        if (typeof user.id === 'number' && typeof user.username === 'string') {
          this.me = user as User;
          this.users.set(user.id, user.username);
        }
        const unread = num(payload.totalUnread);
        if (this.output.json) this.output.out(JSON.stringify({ event: 'hello', data }));
        else
          this.output.out(
            `${clock(new Date())} ${again ? 'reconnected' : 'connected'} as ${this.me ? printable(this.me.username) : '?'}${unread === undefined ? '' : ` (${unread} unread)`}`,
          );
        await this.catchUp(again);
      });
    });

    socket.onAny((event: string, data: unknown) => {
      if (this.done) return;
      // In JSON, every event as it came; only message:new goes through the once-per-seq check below.
      if (this.output.json && event !== 'message:new' && event !== 'hello' && event !== 'auth:expired') {
        this.enqueue(() => this.output.out(JSON.stringify({ event, data })));
        return;
      }
      switch (event) {
        case 'hello':
        case 'auth:expired':
          return;
        case 'message:new': {
          const payload = obj(data);
          const message = obj(payload.message) as unknown as Message;
          this.enqueue(async () => {
            const printed = await this.onMessage(message, false, data);
            // The frame carries my counts right after the message (a send causes no separate unread event).
            if (printed && !this.output.json && message.sender?.id !== this.me?.id && num(payload.unreadCount) !== undefined) {
              this.onUnread({ threadId: message.threadId, unreadCount: payload.unreadCount, totalUnread: payload.totalUnread });
            }
          });
          return;
        }
        case 'message:updated':
          this.enqueue(() => this.onUpdated(obj(obj(data).message) as unknown as Message));
          return;
        case 'read':
          this.enqueue(() => this.onRead(obj(data)));
          return;
        case 'unread':
          this.enqueue(() => this.onUnread(obj(data)));
          return;
        case 'typing':
          this.enqueue(() => this.onTyping(obj(data)));
          return;
        case 'presence':
          this.enqueue(() => this.onPresence(obj(data)));
          return;
        case 'thread:new':
        case 'thread:updated':
          this.enqueue(() => this.onThread(event, obj(obj(data).thread) as unknown as Thread));
          return;
        case 'thread:deleted':
          this.enqueue(() => this.onThreadDeleted(obj(data)));
          return;
        default: {
          const json = JSON.stringify(data) ?? '';
          this.enqueue(() => this.output.out(`${clock(new Date())} ${printable(event)} ${printable(json.length > 200 ? `${json.slice(0, 200)}…` : json)}`));
        }
      }
    });
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      if (!this.done) this.output.err(`could not show an event: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private remember(thread: Thread): void {
    if (typeof thread.id !== 'number') return;
    this.threads.set(thread.id, thread);
    for (const user of thread.participants ?? []) this.users.set(user.id, user.username);
  }

  private async loadThreads(): Promise<void> {
    for (const thread of await this.session.listThreads(THREAD_PAGES_AT_START)) {
      this.remember(thread);
      this.lastSeq.set(thread.id, thread.lastMessage?.seq ?? 0);
    }
  }

  /** Prints what arrived while we were not connected (or, the first time, between loading the threads and connecting). */
  private async catchUp(afterDisconnect: boolean): Promise<void> {
    let threads: Thread[];
    try {
      threads = await this.session.listThreads(1);
    } catch (error) {
      this.output.err(`could not check for missed messages: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // Oldest activity first, so that missed messages come out roughly in the order they were sent.
    for (const thread of [...threads].reverse()) {
      this.remember(thread);
      const known = this.lastSeq.get(thread.id) ?? 0;
      if (!thread.lastMessage || thread.lastMessage.seq <= known) continue;
      const { messages, more } = await this.session.messagesAfter(thread.id, known);
      for (const message of messages) await this.onMessage(message, afterDisconnect);
      if (more > 0) this.output.out(`${clock(new Date())} ${this.threadLabel(thread.id)} … and ${more} more missed messages`);
    }
  }

  /** Prints a message once; answers whether it was new. `frame` is the live event's payload (none for a fetched one). */
  private async onMessage(message: Message, missed: boolean, frame?: unknown): Promise<boolean> {
    if (typeof message.threadId !== 'number' || typeof message.seq !== 'number') return false;
    // Live delivery and catch-up can both bring a message: print each seq once.
    if (message.seq <= (this.lastSeq.get(message.threadId) ?? 0)) return false;
    this.lastSeq.set(message.threadId, message.seq);
    if (message.sender) this.users.set(message.sender.id, message.sender.username);
    if (this.output.json) {
      // A message fetched from the history (catching up) has no live frame: the same event shape, marked as fetched.
      this.output.out(JSON.stringify(frame === undefined ? { event: 'message:new', data: { message }, fetched: true } : { event: 'message:new', data: frame }));
      return true;
    }
    const label = await this.labelFor(message.threadId);
    const at = new Date(message.createdAt);
    const sender = message.sender ? printable(message.sender.username) : '?';
    this.output.out(
      `${clock(Number.isNaN(at.getTime()) ? new Date() : at)} ${label} ${sender}: ${messageBody(message)}${missed ? ' (missed while offline)' : ''}`,
    );
    return true;
  }

  /** An edit or a delete (by its sender or a moderator): the message as it is now. */
  private async onUpdated(message: Message): Promise<void> {
    if (typeof message.threadId !== 'number' || typeof message.seq !== 'number') return;
    const label = await this.labelFor(message.threadId);
    const sender = message.sender ? printable(message.sender.username) : '?';
    const change = message.deletedAt ? `deleted seq ${message.seq}` : `edited seq ${message.seq}: ${printable(String(message.text))}`;
    this.output.out(`${clock(new Date())} ${label} ${sender} ${change}`);
  }

  private async onRead(data: Record<string, unknown>): Promise<void> {
    const threadId = num(data.threadId);
    const userId = num(data.userId);
    const lastReadSeq = num(data.lastReadSeq);
    if (threadId === undefined || userId === undefined || lastReadSeq === undefined) return;
    const label = await this.labelFor(threadId);
    const who = userId === this.me?.id ? 'you' : this.userName(userId);
    const allSeq = num(data.readByAllSeq);
    const everyone = this.threads.get(threadId)?.type === 'group' && allSeq !== undefined ? `; everyone has read up to ${allSeq}` : '';
    this.output.out(`${clock(new Date())} ${label} ${who} read up to seq ${lastReadSeq}${everyone}`);
  }

  private onUnread(data: Record<string, unknown>): void {
    const threadId = num(data.threadId);
    if (threadId === undefined) return;
    const label = this.threads.has(threadId) ? this.threadLabel(threadId) : `#${threadId}`;
    this.output.out(`${clock(new Date())} ${label} unread: ${num(data.unreadCount) ?? '?'} (total ${num(data.totalUnread) ?? '?'})`);
  }

  private async onTyping(data: Record<string, unknown>): Promise<void> {
    const threadId = num(data.threadId);
    const userId = num(data.userId);
    if (threadId === undefined || userId === undefined) return;
    const label = await this.labelFor(threadId);
    this.output.out(`${clock(new Date())} ${label} ${this.userName(userId)} ${data.isTyping === true ? 'is typing…' : 'stopped typing'}`);
  }

  private onPresence(data: Record<string, unknown>): void {
    const userId = num(data.userId);
    if (userId === undefined) return;
    this.output.out(`${clock(new Date())} ${this.userName(userId)} is ${data.online === true ? 'online' : 'offline'}`);
  }

  private onThread(event: 'thread:new' | 'thread:updated', thread: Thread): void {
    if (typeof thread.id !== 'number') return;
    this.remember(thread);
    if (!this.lastSeq.has(thread.id)) this.lastSeq.set(thread.id, 0);
    const members = otherMembers(thread, this.me?.id);
    if (event === 'thread:new') {
      const group = thread.title ? `new group #${thread.id} "${printable(thread.title)}"` : `new untitled group #${thread.id}`;
      const what = thread.type === 'group' ? group : `new direct thread #${thread.id}`;
      this.output.out(`${clock(new Date())} ${what} with ${members.join(', ') || 'nobody else'}`);
    } else {
      this.output.out(`${clock(new Date())} ${this.threadLabel(thread.id)} updated: members ${['you', ...members].join(', ')}`);
    }
  }

  private onThreadDeleted(data: Record<string, unknown>): void {
    const threadId = num(data.threadId);
    if (threadId === undefined) return;
    const label = this.threads.has(threadId) ? this.threadLabel(threadId) : `#${threadId}`;
    this.threads.delete(threadId);
    this.lastSeq.delete(threadId);
    this.output.out(`${clock(new Date())} ${label} is gone (deleted, or you are no longer a member)`);
  }

  private userName(userId: number): string {
    const name = this.users.get(userId);
    return name ? printable(name) : `user ${userId}`;
  }

  /** "[#3 with davidjones]" for a direct thread, '[#5 "Hiring team"]' for a group, "[#6 group: marybrown, sarahjohnson]" untitled. */
  private threadLabel(threadId: number): string {
    const thread = this.threads.get(threadId);
    return thread ? `[#${threadId} ${threadName(thread, this.me?.id)}]` : `[#${threadId}]`;
  }

  /** The label of a thread, looking it up first when it is not known yet. */
  private async labelFor(threadId: number): Promise<string> {
    if (!this.threads.has(threadId)) {
      try {
        this.remember(await this.session.getThread(threadId));
      } catch {
        // Gone, or the server is unreachable: the id alone will do.
      }
    }
    return this.threadLabel(threadId);
  }
}
