import { io, type Socket } from 'socket.io-client';

/** A connected Socket.IO client that records every event it receives, so tests can wait for one. */
export class LiveClient {
  readonly received: { event: string; data: unknown }[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, data: unknown) => {
      this.received.push({ event, data });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Every payload received so far for `event`. */
  all<T = Record<string, unknown>>(event: string): T[] {
    return this.received.filter((r) => r.event === event).map((r) => r.data as T);
  }

  /** The first payload of `event` matching `predicate`, waiting for it up to `timeoutMs`. */
  async waitFor<T = Record<string, unknown>>(event: string, predicate: (data: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => r.event === event && predicate(r.data as T));
      if (hit) return hit.data as T;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" event matching within ${timeoutMs} ms; got: ${this.received.map((r) => r.event).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Emits with an acknowledgement and resolves with the ack. */
  request<T = Record<string, unknown>>(event: string, ...args: unknown[]): Promise<T> {
    return this.socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The sockets a test opened, closed together (after each test). */
export class LiveSockets {
  private readonly open: LiveClient[] = [];

  async connect(baseUrl: string, token: string): Promise<LiveClient> {
    const client = await connectLive(baseUrl, token);
    this.open.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}

/** Connects with an access token and waits for the server's `hello`. */
export async function connectLive(baseUrl: string, token: string): Promise<LiveClient> {
  const socket = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const client = new LiveClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect_error', (error) => reject(error));
    socket.once('hello', () => resolve());
  });
  return client;
}

/** What a handshake came to: "connected" (greeted with hello), or the connect_error message and data. */
export interface HandshakeOutcome {
  message: string;
  data?: unknown;
}

/**
 * Tries one connection with handshake `auth` and/or a Cookie header (sent with `origin`, as a browser would) and
 * resolves with its outcome; the socket is closed either way.
 */
export function handshakeOutcome(
  baseUrl: string,
  credentials: { auth?: Record<string, unknown>; cookie?: string; origin?: string },
): Promise<HandshakeOutcome> {
  const headers: Record<string, string> = {};
  if (credentials.cookie) headers.cookie = credentials.cookie;
  if (credentials.origin) headers.origin = credentials.origin;
  const socket = io(baseUrl, { auth: credentials.auth ?? {}, extraHeaders: headers, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      resolve(error.data === undefined ? { message: error.message } : { message: error.message, data: error.data });
    });
    socket.once('hello', () => {
      socket.close();
      resolve({ message: 'connected' });
    });
  });
}

/** Tries to connect with handshake `auth` and resolves with the connect_error message (or "connected"). */
export async function connectOutcome(baseUrl: string, auth: Record<string, unknown>): Promise<string> {
  return (await handshakeOutcome(baseUrl, { auth })).message;
}
