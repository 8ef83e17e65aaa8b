/**
 * A small client of Parley's HTTP API (see the API contract), on Node's global fetch. It knows nothing about
 * command-line arguments or output: it returns data or throws one of the errors below, and the CLI decides what to say.
 */

export interface User {
  id: number;
  username: string;
  displayName: string;
  online?: boolean;
}

export interface Me extends User {
  isStaff: boolean;
}

export interface Message {
  id: number;
  threadId: number;
  seq: number;
  sender: User;
  text: string;
  createdAt: string;
  /** Set once the sender edited it. */
  editedAt?: string | null;
  /** Set once the sender deleted it: a tombstone, with `text` "". */
  deletedAt?: string | null;
  clientMessageId: string | null;
  readByMe: boolean;
  isRead: boolean;
}

export interface Thread {
  id: number;
  type: 'direct' | 'group';
  title: string | null;
  participants: User[];
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  lastMessage: Message | null;
  unreadCount: number;
}

/** A search hit: the message, and its text as HTML with the matches in <mark>…</mark> (everything else escaped). */
export interface SearchResult extends Message {
  highlight: string;
}

/** The answer of every read-state route. */
export interface ReadState {
  threadId: number;
  lastReadSeq: number;
  unreadCount: number;
  totalUnread: number;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface TokenPair {
  access: string;
  refresh: string;
}

/** The contract's error body. */
export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  code?: string;
}

/** Nothing answered at the URL: refused, unknown host, timed out. */
export class ParleyUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(reason === 'ECONNREFUSED' ? `cannot reach Parley at ${baseUrl}: is the server running? (npm start)` : `cannot reach Parley at ${baseUrl}: ${reason}`);
    this.name = 'ParleyUnreachableError';
  }
}

/** The server answered with an error status. */
export class ParleyHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(ParleyHttpError.describe(status, body));
    this.name = 'ParleyHttpError';
  }

  get code(): string | undefined {
    return this.body?.code;
  }

  /** The server's own message, one line. */
  get serverMessage(): string {
    const message = this.body?.message;
    if (Array.isArray(message)) return message.join('; ');
    return message ?? this.body?.error ?? `HTTP ${this.status}`;
  }

  private static describe(status: number, body: ErrorBody | undefined): string {
    const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
    return message ? `${message} (HTTP ${status})` : `HTTP ${status}`;
  }
}

/** Something answered, but not the way a Parley server does (not JSON, or not the expected shape). */
export class ParleyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParleyProtocolError';
  }
}

/** The caller's AbortSignal fired while a request was under way. */
export class ParleyAbortedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'ParleyAbortedError';
  }
}

export interface ClientOptions {
  /** Aborts every request under way (Ctrl-C). */
  signal?: AbortSignal;
  /** Per request; a server that accepts the connection but never answers should not hang the CLI. */
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Answer<T> {
  status: number;
  body: T;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The errno-style code behind a failed fetch (undici wraps it in `cause`, sometimes in an AggregateError). */
function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code)) return candidate.code;
    queue.push(candidate.cause);
    if (Array.isArray(candidate.errors)) queue.push(...(candidate.errors as unknown[]));
  }
  return undefined;
}

/** Normalises a server URL: http(s) only, no trailing slash, no query or fragment. Throws TypeError when unusable. */
export function normaliseBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError(`"${input}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`"${input}" is not an http(s) URL`);
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** The unauthenticated HTTP layer: one request, JSON in and out, errors classified. */
export class ParleyClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(
    baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.baseUrl = normaliseBaseUrl(baseUrl);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /**
   * `path` is a path under the base URL ("/api/v1/users/?search=x"), or a `next` link from a page. Page links are
   * absolute URLs built from the Host the server saw; only their path and query are used, against our base URL, so a
   * proxy in between does not send the next request elsewhere.
   */
  resolve(path: string): string {
    if (/^https?:\/\//i.test(path)) {
      const link = new URL(path);
      return `${this.baseUrl}${link.pathname}${link.search}`;
    }
    return `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  async request<T>(method: Method, path: string, options: { body?: unknown; token?: string } = {}): Promise<Answer<T>> {
    const url = this.resolve(path);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const signals = [AbortSignal.timeout(this.timeoutMs)];
    if (this.options.signal) signals.push(this.options.signal);

    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw this.classifyFetchError(error);
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.classifyFetchError(error);
    }
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!response.ok) {
      const errorBody = body && typeof body === 'object' ? (body as ErrorBody) : undefined;
      // Parley answers every error with a JSON body; a bare 4xx comes from something else (a 5xx may be a proxy's page).
      if (!errorBody && response.status < 500) {
        throw new ParleyProtocolError(`unexpected answer from ${this.baseUrl}: HTTP ${response.status} without a JSON error body (is this a Parley server?)`);
      }
      throw new ParleyHttpError(response.status, errorBody);
    }
    if (response.status !== 204 && body === undefined) {
      throw new ParleyProtocolError(`unexpected answer from ${this.baseUrl}: HTTP ${response.status} is not JSON (is this a Parley server?)`);
    }
    return { status: response.status, body: body as T };
  }

  async signIn(username: string, password: string): Promise<TokenPair> {
    const { body } = await this.request<TokenPair>('POST', '/api/token/', { body: { username, password } });
    return expectTokens(body, this.baseUrl);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const { body } = await this.request<TokenPair>('POST', '/api/token/refresh/', { body: { refresh: refreshToken } });
    return expectTokens(body, this.baseUrl);
  }

  private classifyFetchError(error: unknown): Error {
    if (this.options.signal?.aborted) return new ParleyAbortedError();
    if (error instanceof Error && error.name === 'TimeoutError') {
      return new ParleyUnreachableError(this.baseUrl, `no answer within ${Math.round(this.timeoutMs / 1000)} s`);
    }
    const code = networkCode(error);
    if (code) return new ParleyUnreachableError(this.baseUrl, code);
    // Duck-typed: errors from another realm (test runners' VM contexts) are not `instanceof Error` here.
    const messageOf = (value: unknown): string | undefined => {
      const message = (value as { message?: unknown } | null)?.message;
      return typeof message === 'string' && message.length > 0 ? message : undefined;
    };
    const cause = messageOf((error as { cause?: unknown } | null)?.cause);
    if (cause === 'bad port') {
      // fetch refuses the ports of other protocols (the Fetch standard's "bad ports": 1, 7, 9, 21, 22, 25, …, 6000).
      return new ParleyUnreachableError(this.baseUrl, `port ${new URL(this.baseUrl).port} is reserved for other protocols, and fetch will not use it`);
    }
    return new ParleyUnreachableError(this.baseUrl, cause ?? messageOf(error) ?? String(error));
  }
}

function expectTokens(body: unknown, baseUrl: string): TokenPair {
  const pair = body as Partial<TokenPair> | null;
  if (typeof pair?.access !== 'string' || typeof pair.refresh !== 'string') {
    throw new ParleyProtocolError(`unexpected answer from ${baseUrl}: no tokens in the sign-in answer (is this a Parley server?)`);
  }
  return { access: pair.access, refresh: pair.refresh };
}

/** Seconds since the epoch at which a JWT expires, and its lifetime, read without verifying it (the server does that). */
export function accessTokenTimes(token: string): { exp: number; lifetime: number } | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number') return undefined;
    const lifetime = typeof claims.iat === 'number' ? claims.exp - claims.iat : 900;
    return { exp: claims.exp, lifetime };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ParleyAbortedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ParleyAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The largest seq PostgreSQL can hold: a `beforeSeq` that selects the newest messages. */
const MAX_SEQ = 2_147_483_647;

export interface PageParams {
  limit?: number;
  offset?: number;
}

/** A query string from the parameters that are set ("" when none is). */
function query(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params) as [string, string | number | undefined][]) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Limits how many pages a lookup follows, so a misbehaving server cannot keep us looping. */
const MAX_PAGES = 50;

/**
 * A signed-in user: the token pair, renewed when it runs out (refresh tokens rotate, so renewals are serialised;
 * when the refresh token is refused too, it signs in again with the password), and the API calls the CLI needs.
 */
export class ParleySession {
  private tokens: TokenPair;
  private renewing: Promise<void> | undefined;
  private stale = false;

  private constructor(
    readonly client: ParleyClient,
    private readonly username: string,
    private readonly password: string,
    tokens: TokenPair,
  ) {
    this.tokens = tokens;
  }

  /** Signs in; a wrong username or password is a ParleyHttpError with status 401. */
  static async signIn(client: ParleyClient, username: string, password: string): Promise<ParleySession> {
    return new ParleySession(client, username, password, await client.signIn(username, password));
  }

  get accessToken(): string {
    return this.tokens.access;
  }

  /** Marks the access token as refused, so that the next `validAccessToken` renews it. */
  markStale(): void {
    this.stale = true;
  }

  /** An access token that is not about to expire: renews first when it is (or when it was marked stale). */
  async validAccessToken(): Promise<string> {
    const times = accessTokenTimes(this.tokens.access);
    const margin = times ? Math.min(30, times.lifetime / 4) : 0;
    if (this.stale || (times && times.exp - margin <= Date.now() / 1000)) await this.renew();
    return this.tokens.access;
  }

  /** Gets a new token pair: refresh, or sign in again when the refresh token is refused. Concurrent calls share one renewal. */
  renew(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    try {
      this.tokens = await this.client.refresh(this.tokens.refresh);
    } catch (error) {
      if (!(error instanceof ParleyHttpError && error.status === 401)) throw error;
      this.tokens = await this.client.signIn(this.username, this.password);
    }
    this.stale = false;
  }

  /** An authenticated request; a 401 (the access token expired meanwhile) renews the tokens and retries once. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<Answer<T>> {
    const token = await this.validAccessToken();
    try {
      return await this.client.request<T>(method, path, { body, token });
    } catch (error) {
      if (!(error instanceof ParleyHttpError && error.status === 401)) throw error;
      // Another request may have renewed already; renew only when the refused token is still the current one.
      if (this.tokens.access === token) await this.renew();
      return this.client.request<T>(method, path, { body, token: this.tokens.access });
    }
  }

  async me(): Promise<Me> {
    return (await this.request<Me>('GET', '/api/v1/users/me/')).body;
  }

  /**
   * The user with exactly this username (usernames are stored lower-case), or null. Searches, then follows `next`
   * links, since a search also matches other usernames and display names containing the text.
   */
  async findUser(username: string): Promise<User | null> {
    const wanted = username.trim().toLowerCase();
    if (wanted.length === 0) return null;
    // The server caps `search` at 100 characters; a longer name still contains its first 100.
    let path: string | null = `/api/v1/users/?search=${encodeURIComponent(wanted.slice(0, 100))}&limit=200`;
    for (let pages = 0; path && pages < MAX_PAGES; pages += 1) {
      const page: Page<User> = (await this.request<Page<User>>('GET', path)).body;
      const hit = page.results.find((user) => user.username.toLowerCase() === wanted);
      if (hit) return hit;
      path = page.next;
    }
    return null;
  }

  /** The direct thread with that user: the existing one (200) or a new one (201). */
  async openDirectThread(userId: number): Promise<{ thread: Thread; created: boolean }> {
    const { status, body } = await this.request<Thread>('POST', '/api/v1/threads/', { participants: [userId] });
    return { thread: body, created: status === 201 };
  }

  async getThread(threadId: number): Promise<Thread> {
    return (await this.request<Thread>('GET', `/api/v1/threads/${threadId}/`)).body;
  }

  /** The caller's threads, most recently active first, up to `maxPages` pages of 200. */
  async listThreads(maxPages = 1): Promise<Thread[]> {
    const threads: Thread[] = [];
    let path: string | null = '/api/v1/threads/?limit=200';
    for (let pages = 0; path && pages < Math.min(maxPages, MAX_PAGES); pages += 1) {
      const page: Page<Thread> = (await this.request<Page<Thread>>('GET', path)).body;
      threads.push(...page.results);
      path = page.next;
    }
    return threads;
  }

  /** Messages of a thread after `afterSeq`, oldest first, at most `max` of them; `more` tells whether some were left. */
  async messagesAfter(threadId: number, afterSeq: number, max = 1000): Promise<{ messages: Message[]; more: number }> {
    const messages: Message[] = [];
    let path: string | null = `/api/v1/threads/${threadId}/messages/?afterSeq=${afterSeq}&limit=200`;
    let count = 0;
    while (path && messages.length < max) {
      const page: Page<Message> = (await this.request<Page<Message>>('GET', path)).body;
      count = page.count;
      messages.push(...page.results);
      path = page.results.length > 0 ? page.next : null;
    }
    const kept = messages.slice(0, max);
    return { messages: kept, more: Math.max(0, count - kept.length) };
  }

  /** One page of the caller's threads, most recently active first. */
  async threadsPage(window: PageParams = {}): Promise<Page<Thread>> {
    return (await this.request<Page<Thread>>('GET', `/api/v1/threads/${query(window)}`)).body;
  }

  /** One page of a thread's messages, oldest first: `afterSeq` / `beforeSeq` choose the window (see the contract). */
  async historyPage(threadId: number, window: PageParams & { afterSeq?: number; beforeSeq?: number } = {}): Promise<Page<Message>> {
    return (await this.request<Page<Message>>('GET', `/api/v1/threads/${threadId}/messages/${query(window)}`)).body;
  }

  /** The message with this seq in the thread, or null when the thread has none (yet). */
  async messageAtSeq(threadId: number, seq: number): Promise<Message | null> {
    const page = await this.historyPage(threadId, { afterSeq: seq - 1, limit: 1 });
    return page.results.find((message) => message.seq === seq) ?? null;
  }

  /** The thread's newest `limit` messages (the server's default page size when not given), oldest first. */
  newestPage(threadId: number, limit?: number): Promise<Page<Message>> {
    // beforeSeq past every seq selects the newest page.
    return this.historyPage(threadId, { beforeSeq: MAX_SEQ, limit });
  }

  /** The thread's newest message, or null when it has none. */
  async lastMessage(threadId: number): Promise<Message | null> {
    return (await this.newestPage(threadId, 1)).results.at(-1) ?? null;
  }

  /** Reads the thread up to that message (one of it), or entirely. */
  async readThread(threadId: number, messageId?: number): Promise<ReadState> {
    return (await this.request<ReadState>('POST', `/api/v1/threads/${threadId}/read/`, messageId === undefined ? {} : { messageId })).body;
  }

  /** Makes that message and every later one unread for the caller. */
  async markUnread(messageId: number): Promise<ReadState> {
    return (await this.request<ReadState>('POST', `/api/v1/messages/${messageId}/unread/`)).body;
  }

  async editMessage(messageId: number, text: string): Promise<Message> {
    return (await this.request<Message>('PATCH', `/api/v1/messages/${messageId}/`, { text })).body;
  }

  /** Deletes one's own message (it stays as a tombstone); deleting it again succeeds too. */
  async deleteMessage(messageId: number): Promise<void> {
    await this.request<undefined>('DELETE', `/api/v1/messages/${messageId}/`);
  }

  /** The caller's messages matching `q`, newest first, optionally in one thread. */
  async searchMessages(q: string, options: PageParams & { threadId?: number } = {}): Promise<Page<SearchResult>> {
    return (await this.request<Page<SearchResult>>('GET', `/api/v1/messages/search/${query({ q, ...options })}`)).body;
  }

  /** Every other user, or those whose username or display name contains `search`. */
  async usersPage(options: PageParams & { search?: string } = {}): Promise<Page<User>> {
    return (await this.request<Page<User>>('GET', `/api/v1/users/${query(options)}`)).body;
  }

  /**
   * Sends a message. The clientMessageId makes it safe to retry: when the connection drops or the server is briefly
   * unavailable, the same request is repeated, and the server answers with the one message it stored.
   */
  async sendMessage(threadId: number, text: string, clientMessageId: string): Promise<Message> {
    const delays = [300, 1000];
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await this.request<Message>('POST', `/api/v1/threads/${threadId}/messages/`, { text, clientMessageId })).body;
      } catch (error) {
        const transient = error instanceof ParleyUnreachableError || (error instanceof ParleyHttpError && [502, 503, 504].includes(error.status));
        const delay = delays[attempt];
        if (!transient || delay === undefined) throw error;
        await sleep(delay, this.client.signal);
      }
    }
  }
}
