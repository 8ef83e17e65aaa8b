import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { recordReliability } from '../support/reliability-report.js';
import {
  buildServer,
  createServerDatabase,
  freePort,
  seedDemoData,
  serverEnvironment,
  signIn,
  ServerProcess,
  type ServerDatabase,
} from '../support/server-process.js';
import type { MessageDto } from '../../libs/messages/src/dto/message.dto.js';

/**
 * The server process killed with SIGKILL in the middle of a load, several times, and started again on the same
 * database and port. Clients behave as the contract asks a real client to: senders retry every message with the same
 * clientMessageId until it is acknowledged (over REST or the socket), receivers reconnect and, on every `hello`,
 * fetch what they missed with afterSeq (and also whenever a live message skips a seq).
 *
 * Afterwards: every acknowledged message is stored exactly once, nothing is stored twice, every thread's seq is
 * contiguous, and every client holds every message of its threads once, in seq order.
 *
 * The database is a fresh one on the PostgreSQL server when DATABASE_URL is set, otherwise the embedded database in
 * a folder on disk (it lives inside the killed process, so this also checks that PGlite recovers from SIGKILL).
 */

const CYCLES = 3;
const MESSAGES_PER_SENDER = 25;
const USERS = ['davidjones', 'jamessmith', 'marybrown', 'sarahjohnson', 'robertwilliams', 'jenniferdavis'] as const;
type Username = (typeof USERS)[number];

/** The fields of the contract's message these checks read. */
type Message = Pick<MessageDto, 'id' | 'threadId' | 'seq' | 'text' | 'clientMessageId'> & { sender: Pick<MessageDto['sender'], 'id'> };

interface Acknowledged {
  threadId: number;
  senderId: number;
  clientMessageId: string;
  text: string;
  id: number;
  seq: number;
}

/** A user's client: one socket that reconnects by itself, and the threads as the client holds them. */
class ChatClient {
  readonly socket: Socket;
  /** Per thread, the messages in the order the client added them; only ever the next seq is added. */
  readonly timelines = new Map<number, Message[]>();
  readonly stats = { hellos: 0, live: 0, caughtUp: 0, duplicatesIgnored: 0 };
  readonly violations: string[] = [];
  private readonly catchUps = new Map<number, Promise<void>>();
  private readonly catchUpAgain = new Set<number>();
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    readonly username: Username,
    private readonly token: string,
    threadIds: number[],
  ) {
    for (const threadId of threadIds) this.timelines.set(threadId, []);
    this.socket = io(baseUrl, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      randomizationFactor: 0,
    });
    this.socket.on('hello', () => {
      this.stats.hellos++;
      for (const threadId of this.timelines.keys()) this.catchUp(threadId);
    });
    this.socket.on('message:new', ({ message }: { message: Message }) => {
      if (!this.timelines.has(message.threadId)) return;
      this.stats.live++;
      this.add(message, 'live');
    });
    // Refused after the handshake (say the server's database was not ready yet), or by the handshake itself: a
    // socket.io client does not retry those by itself, a real client does.
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') this.retryConnect();
    });
    this.socket.on('connect_error', () => {
      if (!this.socket.active) this.retryConnect();
    });
  }

  last(threadId: number): number {
    return this.timelines.get(threadId)?.at(-1)?.seq ?? 0;
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }

  private retryConnect(): void {
    setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, 200);
  }

  private add(message: Message, source: 'live' | 'catch-up'): void {
    const timeline = this.timelines.get(message.threadId) as Message[];
    const last = this.last(message.threadId);
    if (message.seq === last + 1) {
      timeline.push(message);
      if (source === 'catch-up') this.stats.caughtUp++;
    } else if (message.seq <= last) {
      // Seen already (live and in a catch-up, say): it must be the very same message.
      this.stats.duplicatesIgnored++;
      const held = timeline[message.seq - 1];
      if (held?.id !== message.id) this.violations.push(`thread ${message.threadId} seq ${message.seq}: ${held?.id} and ${message.id}`);
    } else if (source === 'live') {
      // A gap: something was missed; the history has it (a message is stored before it is announced).
      this.catchUp(message.threadId);
    } else {
      this.violations.push(`thread ${message.threadId}: the history jumped from seq ${last} to ${message.seq}`);
    }
  }

  /** One catch-up per thread at a time; asked again while one runs, it runs once more afterwards. */
  private catchUp(threadId: number): void {
    if (this.catchUps.has(threadId)) {
      this.catchUpAgain.add(threadId);
      return;
    }
    const run = this.fetchMissed(threadId).finally(() => {
      this.catchUps.delete(threadId);
      if (this.catchUpAgain.delete(threadId)) this.catchUp(threadId);
    });
    this.catchUps.set(threadId, run);
  }

  private async fetchMissed(threadId: number): Promise<void> {
    for (;;) {
      let page: { results: Message[]; next: string | null };
      try {
        const response = await fetch(`${this.baseUrl}/api/v1/threads/${threadId}/messages/?afterSeq=${this.last(threadId)}&limit=100`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status !== 200) return; // the server is going down; the next hello brings the client back here
        page = (await response.json()) as typeof page;
      } catch {
        return;
      }
      for (const message of page.results) this.add(message, 'catch-up');
      if (page.results.length === 0 || !page.next) return;
    }
  }
}

/** A sender: its messages one after the other, each retried with the same clientMessageId until acknowledged. */
interface Sender {
  username: Username;
  threadId: number;
  transport: 'rest' | 'socket';
}

describe('crash safety: SIGKILL under load, restart, clients catch up', () => {
  let database: ServerDatabase | undefined;
  let dataDir: string | undefined;
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess;
  const clients = new Map<Username, ChatClient>();

  beforeAll(async () => {
    await buildServer();
    const base = { PORT: String(await freePort()), JWT_SECRET: randomBytes(32).toString('hex') };
    if (process.env.DATABASE_URL) {
      database = await createServerDatabase(process.env.DATABASE_URL);
      env = serverEnvironment({ ...base, DATABASE_URL: database.url });
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
      env = serverEnvironment({ ...base, DATA_DIR: join(dataDir, 'data') });
    }
    await seedDemoData(env);
    server = await ServerProcess.start(env);
  }, 240_000);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await server?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('stores every acknowledged message exactly once, keeps seq contiguous, and every client ends with every message once, in order', async () => {
    const tokens = Object.fromEntries(await Promise.all(USERS.map(async (u) => [u, await signIn(server.baseUrl, u)]))) as Record<Username, string>;
    const api = async <T>(username: Username, method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[username]}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}`);
      return (await response.json()) as T;
    };
    const others = (await api<{ results: { id: number; username: Username }[] }>('davidjones', 'GET', '/api/v1/users/?limit=200')).results;
    const ids = Object.fromEntries(others.map((u) => [u.username, u.id])) as Record<Username, number>;
    ids.davidjones = (await api<{ id: number }>('davidjones', 'GET', '/api/v1/users/me/')).id;
    const thread = async (owner: Username, members: Username[], title?: string): Promise<number> =>
      (await api<{ id: number }>(owner, 'POST', '/api/v1/threads/', { participants: members.map((m) => ids[m]), ...(title ? { type: 'group', title } : {}) }))
        .id;
    const group = await thread('davidjones', ['jamessmith', 'marybrown', 'sarahjohnson'], 'Crash test group');
    const robertJennifer = await thread('robertwilliams', ['jenniferdavis']);
    const davidRobert = await thread('davidjones', ['robertwilliams']);
    const members: Record<number, Username[]> = {
      [group]: ['davidjones', 'jamessmith', 'marybrown', 'sarahjohnson'],
      [robertJennifer]: ['robertwilliams', 'jenniferdavis'],
      [davidRobert]: ['davidjones', 'robertwilliams'],
    };
    const senders: Sender[] = [
      { username: 'davidjones', threadId: group, transport: 'rest' },
      { username: 'jamessmith', threadId: group, transport: 'socket' },
      { username: 'marybrown', threadId: group, transport: 'rest' },
      { username: 'sarahjohnson', threadId: group, transport: 'socket' },
      { username: 'robertwilliams', threadId: robertJennifer, transport: 'socket' },
      { username: 'jenniferdavis', threadId: robertJennifer, transport: 'rest' },
      { username: 'davidjones', threadId: davidRobert, transport: 'socket' },
      { username: 'robertwilliams', threadId: davidRobert, transport: 'rest' },
    ];
    for (const user of USERS) {
      const threads = Object.entries(members)
        .filter(([, users]) => users.includes(user))
        .map(([id]) => Number(id));
      clients.set(user, new ChatClient(server.baseUrl, user, tokens[user], threads));
    }
    await Promise.all([...clients.values()].map((client) => new Promise((resolve) => client.socket.once('hello', resolve))));

    const acknowledged: Acknowledged[] = [];
    let attempts = 0;
    // A 200 instead of 201: the message had been stored by an earlier attempt whose answer was lost to a kill.
    let answeredAsStored = 0;
    let inFlight = 0;
    const unexpected: string[] = [];

    /** One attempt: the stored message, or undefined when it should be tried again (server down, 503, no ack). */
    const attempt = async (sender: Sender, text: string, clientMessageId: string): Promise<Message | undefined> => {
      if (sender.transport === 'socket') {
        const socket = (clients.get(sender.username) as ChatClient).socket;
        try {
          const ack = (await socket.timeout(5_000).emitWithAck('message:send', { threadId: sender.threadId, text, clientMessageId })) as {
            ok: boolean;
            message?: Message;
            error?: { code: string };
          };
          if (ack.ok) return ack.message;
          if (ack.error?.code !== 'unavailable') unexpected.push(`socket ack ${JSON.stringify(ack)}`);
        } catch {
          // No ack in time (disconnected, or the server died with the request): try again.
        }
        return undefined;
      }
      try {
        const response = await fetch(`${server.baseUrl}/api/v1/threads/${sender.threadId}/messages/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[sender.username]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text, clientMessageId }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 200) answeredAsStored++;
        if (response.status === 200 || response.status === 201) return (await response.json()) as Message;
        if (response.status !== 503) unexpected.push(`POST answered ${response.status}`);
      } catch {
        // Connection refused or reset: the server is down or was killed with the request.
      }
      return undefined;
    };

    const send = async (sender: Sender): Promise<void> => {
      for (let n = 1; n <= MESSAGES_PER_SENDER; n++) {
        const text = `${sender.username} in ${sender.threadId} over ${sender.transport}: #${n}`;
        const clientMessageId = randomUUID();
        for (;;) {
          attempts++;
          inFlight++;
          const message = await attempt(sender, text, clientMessageId);
          inFlight--;
          if (message) {
            acknowledged.push({ threadId: sender.threadId, senderId: ids[sender.username], clientMessageId, text, id: message.id, seq: message.seq });
            break;
          }
          await delay(100); // pacing between retries, as a client backs off
        }
      }
    };

    const total = senders.length * MESSAGES_PER_SENDER;
    const sending = Promise.all(senders.map(send));
    const kills: { acknowledgedBefore: number; inFlight: number; downMs: number }[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const threshold = Math.floor((total * cycle) / (CYCLES + 1));
      for (const deadline = Date.now() + 180_000; acknowledged.length < threshold;) {
        if (Date.now() > deadline) throw new Error(`only ${acknowledged.length} of ${threshold} messages acknowledged before kill ${cycle}`);
        await delay(20);
      }
      const killed = { acknowledgedBefore: acknowledged.length, inFlight };
      const downAt = Date.now();
      await server.kill('SIGKILL');
      server = await ServerProcess.start(env);
      kills.push({ ...killed, downMs: Date.now() - downAt });
    }
    await sending;
    expect(unexpected).toEqual([]);

    // Every client gets to the end of each of its threads by itself: live, or by catching up.
    const lastSeq = new Map<number, number>();
    for (const [threadId, users] of Object.entries(members)) {
      lastSeq.set(Number(threadId), (await api<{ lastMessage: Message }>(users[0], 'GET', `/api/v1/threads/${threadId}/`)).lastMessage.seq);
    }
    for (const deadline = Date.now() + 60_000; ;) {
      const behind = [...clients.values()].filter((client) =>
        [...client.timelines.keys()].some((threadId) => client.last(threadId) < (lastSeq.get(threadId) ?? 0)),
      );
      if (behind.length === 0) break;
      if (Date.now() > deadline) throw new Error(`clients still behind: ${behind.map((client) => client.username).join(', ')}`);
      await delay(50);
    }
    for (const client of clients.values()) client.close();
    await server.stop();

    // What the database holds, read directly.
    const threadIds = Object.keys(members).map(Number);
    const rowsQuery = `SELECT id, thread_id AS "threadId", seq, sender_id AS "senderId", text, client_message_id AS "clientMessageId"
      FROM messages WHERE thread_id = ANY($1) ORDER BY thread_id, seq`;
    const threadsQuery = `SELECT id, last_seq AS "lastSeq" FROM threads WHERE id = ANY($1)`;
    let stored: Acknowledged[];
    let threadRows: { id: number; lastSeq: number }[];
    if (database) {
      stored = await database.query<Acknowledged>(rowsQuery, [threadIds]);
      threadRows = await database.query<{ id: number; lastSeq: number }>(threadsQuery, [threadIds]);
    } else {
      const db = await PGlite.create(env.DATA_DIR as string);
      try {
        stored = (await db.query<Acknowledged>(rowsQuery, [threadIds])).rows;
        threadRows = (await db.query<{ id: number; lastSeq: number }>(threadsQuery, [threadIds])).rows;
      } finally {
        await db.close();
      }
    }

    // 1. Every acknowledged message is stored, exactly once, as acknowledged.
    const byClientId = new Map<string, Acknowledged[]>();
    for (const row of stored) byClientId.set(row.clientMessageId, [...(byClientId.get(row.clientMessageId) ?? []), row]);
    expect(acknowledged).toHaveLength(total);
    for (const ack of acknowledged) expect(byClientId.get(ack.clientMessageId)).toEqual([ack]);
    // 2. Nothing is stored twice, and nothing was stored that no one had acknowledged.
    expect(new Set(stored.map((row) => row.text)).size).toBe(stored.length);
    expect(stored).toHaveLength(total);
    // 3. Each thread's seq is contiguous, and the thread's counter agrees.
    for (const threadId of threadIds) {
      const seqs = stored.filter((row) => row.threadId === threadId).map((row) => row.seq);
      expect(seqs).toEqual(seqs.map((_, index) => index + 1));
      expect(threadRows.find((row) => row.id === threadId)?.lastSeq).toBe(seqs.length);
    }
    // Each sender's messages got increasing seqs, in the order it sent them.
    for (const sender of senders) {
      const seqs = acknowledged.filter((a) => a.threadId === sender.threadId && a.senderId === ids[sender.username]).map((a) => a.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    // 4. Every client holds every message of its threads once, in seq order.
    expect(clients.size).toBe(USERS.length);
    for (const client of clients.values()) {
      expect(client.violations).toEqual([]);
      for (const [threadId, timeline] of client.timelines) {
        expect(timeline.map((m) => m.id)).toEqual(stored.filter((row) => row.threadId === threadId).map((row) => row.id));
      }
    }

    const sum = (pick: (client: ChatClient) => number): number => [...clients.values()].reduce((acc, client) => acc + pick(client), 0);
    const held = sum((client) => [...client.timelines.values()].reduce((acc, timeline) => acc + timeline.length, 0));
    recordReliability('crash-safety', [
      {
        check: 'SIGKILL of the server under load, restart on the same database',
        tried:
          `${CYCLES} kill/restart cycles; ${senders.length} senders (half REST, half socket) in ${threadIds.length} threads, ${total} messages, ` +
          `${attempts} attempts (${attempts - total} retries with the same clientMessageId; ${answeredAsStored} REST retries found their message already stored); requests in flight at the kills: ` +
          `${kills.map((k) => k.inFlight).join(', ')}; down ${kills.map((k) => `${(k.downMs / 1000).toFixed(1)} s`).join(', ')} each`,
        result:
          `${acknowledged.length} acknowledged, each stored exactly once; ${stored.length} stored, none twice; seq contiguous in every thread; ` +
          `${clients.size} clients hold all ${held} message copies once, in order (${sum((c) => c.stats.live)} live events, ` +
          `${sum((c) => c.stats.caughtUp)} added by afterSeq catch-up after ${sum((c) => c.stats.hellos)} hellos, ` +
          `${sum((c) => c.stats.duplicatesIgnored)} seen twice and ignored)`,
      },
    ]);
  }, 600_000);
});
