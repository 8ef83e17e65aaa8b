import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { recordReliability, type ReliabilityRow } from '../support/reliability-report.js';
import {
  buildServer,
  createServerDatabase,
  freePort,
  seedDemoData,
  serverEnvironment,
  signIn,
  LOG_LEVEL,
  ServerProcess,
  type ServerDatabase,
} from '../support/server-process.js';
import { connectLive, handshakeOutcome, type LiveClient } from '../support/sockets.js';
import { TcpProxy, type OutageMode } from '../support/tcp-proxy.js';

/**
 * PostgreSQL going away under load, simulated by a TCP proxy between the server process and the machine's
 * PostgreSQL (which keeps running for everyone else): `refuse` is a stopped server (connections reset, new ones
 * refused), `blackhole` a network that drops everything (nothing fails by itself; only timeouts end the wait).
 *
 * What a client relies on: while the database is away every request is answered quickly with a 503 it can act on
 * (never a hang, never a 500), /health/ready says 503 so a load balancer can route around the instance, the process
 * stays up, and once the database is back the same process serves again without a restart.
 *
 * Runs only against a PostgreSQL server (DATABASE_URL): the embedded database lives inside the server process, so
 * there is no connection to it that could be cut (see jest.config.js).
 */

/** A request not answered within this long counts as hung. The server's own limits are 3 s (connect) and 5 s (query). */
const HANG_LIMIT_MS = 15_000;
const WORKERS = 6;

interface Outcome {
  kind: 'send' | 'list';
  startedAt: number;
  ms: number;
  status: number | 'no answer';
  code?: string;
  body?: unknown;
  retryAfter?: string | null;
}

async function timedRequest(
  baseUrl: string,
  token: string,
  kind: Outcome['kind'],
  method: string,
  path: string,
  body?: unknown,
): Promise<Outcome & { json?: Record<string, unknown> }> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(HANG_LIMIT_MS),
    });
    const json = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    return {
      kind,
      startedAt,
      ms: Date.now() - startedAt,
      status: response.status,
      code: typeof json?.code === 'string' ? json.code : undefined,
      body: json,
      json,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch {
    return { kind, startedAt, ms: Date.now() - startedAt, status: 'no answer' };
  }
}

async function probeStatus(url: string): Promise<{ status: number | 'no answer'; ms: number; body?: unknown }> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(HANG_LIMIT_MS) });
    return { status: response.status, ms: Date.now() - startedAt, body: await response.json().catch(() => undefined) };
  } catch {
    return { status: 'no answer', ms: Date.now() - startedAt };
  }
}

/** The outcome of a socket handshake authenticated by the web inbox's session cookie, from the inbox's own origin. */
async function cookieHandshake(baseUrl: string, cookie: string): Promise<string> {
  return (await handshakeOutcome(baseUrl, { cookie, origin: baseUrl })).message;
}

/** Waits for a condition the load's outcomes reach, failing at once (with the server's last words) if the server dies. */
async function waitUntil(server: ServerProcess, condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (!server.running) throw new Error(`the server process exited while waiting for ${what}:\n${server.outputTail()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/**
 * Clients that keep working through the outage: half list their threads, half send messages and retry each one with
 * the same clientMessageId until it is acknowledged, as a real client does.
 */
class Load {
  readonly outcomes: Outcome[] = [];
  readonly acknowledged: { clientMessageId: string; id: number; seq: number }[] = [];
  private stopping = false;
  private aborted = false;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly threadId: number,
  ) {}

  start(): void {
    for (let worker = 0; worker < WORKERS; worker++) this.running.push(worker % 2 === 0 ? this.sender(worker) : this.lister());
  }

  /** Stops after the messages in flight are acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  /** Gives up at once, acknowledged or not (a failed test must not leave clients retrying forever). */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.stop();
  }

  successesSince(time: number): number {
    return this.outcomes.filter((o) => o.startedAt >= time && typeof o.status === 'number' && o.status < 300).length;
  }

  private async sender(worker: number): Promise<void> {
    for (let n = 1; !this.stopping; n++) {
      const clientMessageId = randomUUID();
      for (;;) {
        const outcome = await timedRequest(this.baseUrl, this.token, 'send', 'POST', `/api/v1/threads/${this.threadId}/messages/`, {
          text: `worker ${worker} message ${n}`,
          clientMessageId,
        });
        this.outcomes.push(outcome);
        if (outcome.status === 200 || outcome.status === 201) {
          const message = outcome.json as { id: number; seq: number };
          this.acknowledged.push({ clientMessageId, id: message.id, seq: message.seq });
          break;
        }
        if (this.aborted) return;
        // Pacing, not waiting for something: a client that is refused tries again a little later.
        await delay(25);
      }
      await delay(10);
    }
  }

  private async lister(): Promise<void> {
    while (!this.stopping) {
      this.outcomes.push(await timedRequest(this.baseUrl, this.token, 'list', 'GET', '/api/v1/threads/'));
      await delay(25);
    }
  }
}

describe('PostgreSQL outage under load (server process behind a TCP proxy)', () => {
  let database: ServerDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;
  let david: string;
  let james: string;
  let sessionCookie: string;
  let threadId: number;
  const rows: ReliabilityRow[] = [];
  const live: LiveClient[] = [];

  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL as string;
    await buildServer();
    database = await createServerDatabase(serverUrl);
    const target = new URL(serverUrl);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const env = serverEnvironment({ PORT: String(await freePort()), JWT_SECRET: randomBytes(32).toString('hex'), DATABASE_URL: database.url });
    await seedDemoData(env);
    server = await ServerProcess.start({ ...env, DATABASE_URL: proxy.proxiedUrl(database.url) });
    [david, james] = await Promise.all([signIn(server.baseUrl, 'davidjones'), signIn(server.baseUrl, 'jamessmith')]);
    const jamesId = (await database.query<{ id: number }>(`SELECT id FROM users WHERE username = 'jamessmith'`))[0]?.id;
    const session = await fetch(`${server.baseUrl}/api/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'marybrown', password: 'password' }),
    });
    sessionCookie = (session.headers.get('set-cookie') ?? '').split(';')[0];
    const thread = await timedRequest(server.baseUrl, david, 'send', 'POST', '/api/v1/threads/', { participants: [jamesId] });
    threadId = thread.json?.id as number;
  }, 240_000);

  afterAll(async () => {
    for (const client of live.splice(0)) client.close();
    await server?.stop();
    await proxy?.close();
    await database?.drop();
    if (rows.length > 0) recordReliability('database-outage', rows);
  }, 60_000);

  /** The outage itself: load, cut, what clients see during it, restore, what they see after. */
  async function observeOutage(mode: OutageMode, load: Load, sockets: LiveClient, leaving: LiveClient) {
    const loadStart = Date.now();
    load.start();
    await waitUntil(server, () => load.successesSince(loadStart) >= 20, 'requests to succeed before the outage');

    await proxy.cut(mode);
    const cutAt = Date.now();
    // Requests started from now on cannot reach the database. Refused ones fail in milliseconds, black-holed ones only
    // when a timeout ends the wait: ask for enough of each to see every request path fail.
    const perKind = mode === 'refuse' ? 40 : 4;
    await waitUntil(
      server,
      () => ['send', 'list'].every((kind) => load.outcomes.filter((o) => o.kind === kind && o.startedAt >= cutAt).length >= perKind),
      'requests during the outage to be answered',
    );
    const ready = await probeStatus(`${server.baseUrl}/health/ready`);
    const liveness = await probeStatus(`${server.baseUrl}/health/live`);
    // The web inbox's socket signs in with its session cookie, which needs the database: "try later", not "sign in again".
    const cookieOutcome = await cookieHandshake(server.baseUrl, sessionCookie);
    const socketSend = await sockets.request<{ ok: boolean; error?: { code: string } }>('message:send', {
      threadId,
      text: 'over the socket during the outage',
      clientMessageId: randomUUID(),
    });
    // A user's last socket going away during the outage: the server looks up whom to tell "offline", fails to, and
    // must say so in its log and live on.
    const leftFrom = server.logs.length;
    leaving.close();
    const presenceFailure = await server.waitForLog((line) => /presence/i.test(line.msg), 30_000, leftFrom).catch((error: Error) => error);

    await proxy.restore();
    const restoredAt = Date.now();
    await waitUntil(server, () => load.successesSince(restoredAt) >= 10, 'requests to succeed again after the database returned');
    const resumedAt = Math.min(
      ...load.outcomes.filter((o) => o.startedAt >= restoredAt && typeof o.status === 'number' && o.status < 300).map((o) => o.startedAt + o.ms),
    );
    await load.stop();
    const readyAfter = await probeStatus(`${server.baseUrl}/health/ready`);
    const socketAfter = await sockets.request<{ ok: boolean }>('message:send', {
      threadId,
      text: 'over the socket after the outage',
      clientMessageId: randomUUID(),
    });
    const cookieAfter = await cookieHandshake(server.baseUrl, sessionCookie);
    return { cutAt, restoredAt, resumedAt, ready, liveness, cookieOutcome, socketSend, presenceFailure, readyAfter, cookieAfter, socketAfter };
  }

  async function outage(mode: OutageMode): Promise<void> {
    const [sockets, leaving] = await Promise.all([connectLive(server.baseUrl, david), connectLive(server.baseUrl, james)]);
    live.push(sockets, leaving);
    const logFrom = server.logs.length;
    const load = new Load(server.baseUrl, david, threadId);
    let observed: Awaited<ReturnType<typeof observeOutage>>;
    try {
      observed = await observeOutage(mode, load, sockets, leaving);
    } finally {
      await load.abort();
      await proxy.restore();
    }
    const { cutAt, restoredAt, resumedAt, ready, liveness, cookieOutcome, socketSend, presenceFailure, readyAfter, cookieAfter, socketAfter } = observed;

    const during = load.outcomes.filter((o) => o.startedAt >= cutAt && o.startedAt + o.ms <= restoredAt);
    const failing = during.filter((o) => o.status !== 200 && o.status !== 201);
    const slowest = Math.max(...failing.map((o) => o.ms));

    // Answered, quickly, with a 503 a client can act on: nothing hung, nothing was a 500.
    expect(during.filter((o) => o.status === 'no answer')).toEqual([]);
    expect(failing.length).toBe(during.length);
    for (const outcome of failing) {
      expect(outcome).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(outcome.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(Number(outcome.retryAfter)).toBeGreaterThan(0);
    }
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(liveness.status).toBe(200);
    expect(socketSend).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'database_unavailable' } });
    expect(cookieOutcome).toBe('unavailable');
    expect(presenceFailure).toMatchObject({ level: LOG_LEVEL.warn });

    // Back by itself, in the same process.
    expect(server.running).toBe(true);
    expect(readyAfter.status).toBe(200);
    expect(socketAfter.ok).toBe(true);
    expect(cookieAfter).toBe('connected');
    expect(server.logs.slice(logFrom).filter((line) => line.level >= LOG_LEVEL.fatal)).toEqual([]);

    // Every acknowledged message is stored once; the retries during the outage stored nothing twice.
    const stored = await database.query<{ client_message_id: string; id: number; seq: number }>(
      `SELECT client_message_id, id, seq FROM messages WHERE client_message_id = ANY($1)`,
      [load.acknowledged.map((a) => a.clientMessageId)],
    );
    expect(stored.map((row) => ({ clientMessageId: row.client_message_id, id: row.id, seq: row.seq })).sort((a, b) => a.seq - b.seq)).toEqual(
      [...load.acknowledged].sort((a, b) => a.seq - b.seq),
    );
    const seqs = await database.query<{ seq: number }>(`SELECT seq FROM messages WHERE thread_id = $1 ORDER BY seq`, [threadId]);
    expect(seqs.map((row) => row.seq)).toEqual(seqs.map((_, index) => index + 1));

    rows.push({
      check: `PostgreSQL ${mode === 'refuse' ? 'stopped (connections reset, new ones refused)' : 'unreachable (black hole: nothing answered)'}`,
      tried: `${WORKERS} clients under load; ${during.length} requests during a ${((restoredAt - cutAt) / 1000).toFixed(1)} s outage, plus a socket send, a cookie handshake and a socket leaving`,
      result:
        `all ${failing.length} answered 503 database_unavailable (slowest ${slowest} ms), /health/ready 503 in ${ready.ms} ms, ` +
        `socket ack "unavailable", cookie handshake refused "unavailable" (not "unauthorized"), process up; served again ${((resumedAt - restoredAt) / 1000).toFixed(1)} s after the database returned, no restart; ` +
        `${load.acknowledged.length} acknowledged messages stored once each`,
    });
  }

  it('answers 503 at once while PostgreSQL refuses connections, and resumes by itself', async () => {
    await outage('refuse');
  }, 180_000);

  it('answers 503 within its timeouts while the network to PostgreSQL drops everything, and resumes by itself', async () => {
    await outage('blackhole');
  }, 180_000);
});
