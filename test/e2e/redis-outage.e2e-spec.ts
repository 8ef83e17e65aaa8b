import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { recordReliability } from '../support/reliability-report.js';
import {
  buildServer,
  createServerDatabase,
  freePort,
  migrateDatabase,
  seedDemoData,
  serverEnvironment,
  signIn,
  LOG_LEVEL,
  ServerProcess,
  type LogLine,
  type ServerDatabase,
} from '../support/server-process.js';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Redis going away under two instances, simulated by a TCP proxy between both server processes and the machine's
 * Redis (which keeps running for everyone else): open connections are reset and new ones refused, as when Redis
 * stops. Redis only carries live events between instances, so a client relies on: each instance keeps serving its
 * own clients (REST, and live delivery between two users on the same instance), the loss shows in the log, and when
 * Redis is back, delivery across instances resumes without a restart, and every client is greeted with a new `hello`
 * so that it fetches what it missed meanwhile with afterSeq, as after a reconnect.
 *
 * Runs when DATABASE_URL and REDIS_URL are set (two instances need a shared PostgreSQL; see jest.config.js).
 */

interface MessageEvent {
  message: { id: number; threadId: number; seq: number; text: string };
}
interface SendAck {
  ok: boolean;
  message: { id: number; seq: number };
  error?: unknown;
}

const isLoss = (line: LogLine): boolean => line.level >= LOG_LEVEL.error && /lost the Redis (publish|subscribe) connection/.test(line.msg);
const isReturn = (connection: 'publish' | 'subscribe') => (line: LogLine) => line.msg.includes(`the Redis ${connection} connection is back`);

describe('Redis outage under two instances (server processes behind a TCP proxy)', () => {
  let database: ServerDatabase;
  let proxy: TcpProxy;
  let a: ServerProcess;
  let b: ServerProcess;
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const open: LiveClient[] = [];

  const live = async (server: ServerProcess, username: string): Promise<LiveClient> => {
    const client = await connectLive(server.baseUrl, tokens[username]);
    open.push(client);
    return client;
  };
  const send = (client: LiveClient, threadId: number, text: string): Promise<SendAck> =>
    client.request<SendAck>('message:send', { threadId, text, clientMessageId: randomUUID() });
  // Other suites may share this Redis (and so room names): match events by this run's own texts.
  const arrival = (client: LiveClient, text: string, timeoutMs = 30_000): Promise<MessageEvent> =>
    client.waitFor<MessageEvent>('message:new', (e) => e.message.text === text, timeoutMs);
  const directThread = async (server: ServerProcess, owner: string, other: string): Promise<number> => {
    const response = await fetch(`${server.baseUrl}/api/v1/threads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[owner]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ participants: [ids[other]] }),
    });
    return ((await response.json()) as { id: number }).id;
  };
  const readiness = async (server: ServerProcess): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${server.baseUrl}/health/ready`, { signal: AbortSignal.timeout(15_000) });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    await buildServer();
    database = await createServerDatabase(process.env.DATABASE_URL as string);
    const redis = new URL(process.env.REDIS_URL as string);
    proxy = await TcpProxy.start(redis.hostname, Number(redis.port || 6379));
    const shared = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: database.url,
      LOG_LEVEL: 'log',
      REDIS_KEY_PREFIX: `parley-outage-${randomBytes(6).toString('hex')}`,
    };
    // Live events travel on Redis channels named after user ids (rooms `user:<id>`), and other suites (scale-out) may
    // use the same Redis at the same time with ids from 1: start this database's users far from theirs.
    await migrateDatabase(serverEnvironment(shared));
    await database.query(`SELECT setval('users_id_seq', $1)`, [100_000 + Math.floor(Math.random() * 1_000_000)]);
    await seedDemoData(serverEnvironment(shared));
    const redisUrl = proxy.proxiedUrl(process.env.REDIS_URL as string);
    [a, b] = await Promise.all([
      freePort().then((port) => ServerProcess.start(serverEnvironment({ ...shared, PORT: String(port), REDIS_URL: redisUrl }))),
      freePort().then((port) => ServerProcess.start(serverEnvironment({ ...shared, PORT: String(port), REDIS_URL: redisUrl }))),
    ]);
    for (const row of await database.query<{ id: number; username: string }>(`SELECT id, username FROM users`)) ids[row.username] = row.id;
    for (const username of ['davidjones', 'jamessmith', 'marybrown', 'sarahjohnson', 'robertwilliams', 'jenniferdavis']) {
      tokens[username] = await signIn(a.baseUrl, username);
    }
  }, 240_000);

  afterAll(async () => {
    for (const client of open.splice(0)) client.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    await database?.drop();
  }, 60_000);

  it('keeps each instance serving its own clients while Redis is away, logs the loss, and resumes delivery across instances', async () => {
    const davidJames = await directThread(a, 'davidjones', 'jamessmith');
    const robertJennifer = await directThread(a, 'robertwilliams', 'jenniferdavis');
    const maryJames = await directThread(b, 'marybrown', 'jamessmith');
    const maryDavid = await directThread(b, 'marybrown', 'davidjones');
    // David and Robert and Jennifer on A; James and Mary on B.
    const [davidOnA, robertOnA, jenniferOnA, jamesOnB, maryOnB] = await Promise.all([
      live(a, 'davidjones'),
      live(a, 'robertwilliams'),
      live(a, 'jenniferdavis'),
      live(b, 'jamessmith'),
      live(b, 'marybrown'),
    ]);

    // Across instances before the outage.
    expect((await send(davidOnA, davidJames, 'before the outage, A to B')).ok).toBe(true);
    await arrival(jamesOnB, 'before the outage, A to B');

    // Live events in flight when Redis goes: David keeps writing to James (A to B) throughout.
    let sending = true;
    let sentDuringCut = 0;
    const steadyAcknowledged: string[] = [];
    const steadySender = (async () => {
      for (let n = 1; sending; n++) {
        const ack = await send(davidOnA, davidJames, `steady ${n}`);
        if (!ack.ok) throw new Error(`a send failed: ${JSON.stringify(ack)}`);
        steadyAcknowledged.push(`steady ${n}`);
        if (proxy.state !== 'open') sentDuringCut++;
        await delay(20);
      }
    })();
    // Awaited at the end; until then a failure (the server died under it) must not count as unhandled.
    steadySender.catch(() => undefined);
    await arrival(jamesOnB, 'steady 5');

    const [logA, logB] = [a.logs.length, b.logs.length];
    const hellosBefore = jamesOnB.all('hello').length;
    await proxy.cut('refuse');
    const cutAt = Date.now();
    try {
      const [lossA, lossB] = await Promise.all([a.waitForLog(isLoss, 30_000, logA), b.waitForLog(isLoss, 30_000, logB)]);
      expect(lossA.context).toBe('ParleyIoAdapter');
      expect(lossB.context).toBe('ParleyIoAdapter');

      // Each instance serves its own clients: live delivery between two users on the same instance, over the socket…
      expect((await send(robertOnA, robertJennifer, 'during the outage, within A')).ok).toBe(true);
      await arrival(jenniferOnA, 'during the outage, within A');
      expect((await send(maryOnB, maryJames, 'during the outage, within B')).ok).toBe(true);
      await arrival(jamesOnB, 'during the outage, within B');
      // …and sent over REST, and to a client that connected during the outage.
      const lateJennifer = await live(a, 'jenniferdavis');
      const rest = await fetch(`${a.baseUrl}/api/v1/threads/${robertJennifer}/messages/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.robertwilliams}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'during the outage, over REST on A', clientMessageId: randomUUID() }),
      });
      expect(rest.status).toBe(201);
      await arrival(lateJennifer, 'during the outage, over REST on A');
      const listing = await fetch(`${b.baseUrl}/api/v1/threads/`, { headers: { authorization: `Bearer ${tokens.jamessmith}` } });
      expect(listing.status).toBe(200);

      // Keep Redis away while David sends a good number of messages meant for B (each one several live events).
      for (const deadline = Date.now() + 60_000; sentDuringCut < 40;) {
        for (const server of [a, b]) if (!server.running) throw new Error(`an instance exited during the outage:\n${server.outputTail()}`);
        if (Date.now() > deadline) throw new Error(`only ${sentDuringCut} messages sent during the outage`);
        await delay(50);
      }

      // Sent on A for a client of B while Redis is away: B's client gets it when it catches up (below).
      expect((await send(davidOnA, davidJames, 'during the outage, A to B')).ok).toBe(true);

      // Readiness says Redis is down (the contract: ready needs the database and, when configured, Redis).
      for (const server of [a, b]) {
        const ready = await readiness(server);
        expect(ready).toMatchObject({ status: 503, body: { status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } } } });
      }
    } catch (error) {
      sending = false;
      // A closed socket usually means its instance died: say so, with its last words.
      await Promise.race([a.exited, b.exited, delay(2000)]);
      const dead = [a, b].find((server) => !server.running);
      if (dead) throw new Error(`an instance exited during the outage:\n${dead.outputTail()}`, { cause: error });
      throw error;
    } finally {
      await proxy.restore();
    }
    const restoredAt = Date.now();
    const outageSeconds = (restoredAt - cutAt) / 1000;

    // Back by itself: both connections of both instances say so, and delivery across instances resumes.
    await Promise.all(
      [a, b].flatMap((server, i) => [
        server.waitForLog(isReturn('publish'), 60_000, i === 0 ? logA : logB),
        server.waitForLog(isReturn('subscribe'), 60_000, i === 0 ? logA : logB),
      ]),
    );
    const backAfter = (Date.now() - restoredAt) / 1000;
    // B greets its clients again; James catches up from the last message he saw live, as a client does after hello.
    await jamesOnB.waitFor('hello', () => jamesOnB.all('hello').length > hellosBefore);
    const seenLive = jamesOnB.all<MessageEvent>('message:new').filter((e) => e.message.threadId === davidJames);
    const lastContiguous = seenLive
      .map((e) => e.message.seq)
      .sort((x, y) => x - y)
      .reduce((last, seq) => (seq === last + 1 ? seq : last), 0);
    const caughtUp = await fetch(`${b.baseUrl}/api/v1/threads/${davidJames}/messages/?afterSeq=${lastContiguous}&limit=200`, {
      headers: { authorization: `Bearer ${tokens.jamessmith}` },
    });
    const missed = ((await caughtUp.json()) as { results: { text: string }[] }).results.map((m) => m.text);
    expect(missed).toContain('during the outage, A to B');
    expect((await send(davidOnA, davidJames, 'after the outage, A to B')).ok).toBe(true);
    await arrival(jamesOnB, 'after the outage, A to B');
    expect((await send(maryOnB, maryDavid, 'after the outage, B to A')).ok).toBe(true);
    await arrival(davidOnA, 'after the outage, B to A');
    const resumedAfter = (Date.now() - restoredAt) / 1000;
    sending = false;
    await steadySender;
    for (const server of [a, b]) expect((await readiness(server)).status).toBe(200);

    // James has every message David sent him: live, or fetched after the new hello.
    await arrival(jamesOnB, steadyAcknowledged.at(-1) as string);
    const liveTexts = new Set(jamesOnB.all<MessageEvent>('message:new').map((e) => e.message.text));
    expect(steadyAcknowledged.filter((text) => !liveTexts.has(text) && !missed.includes(text))).toEqual([]);

    // Neither process died or restarted, and nothing worse than the loss itself was logged.
    expect(a.running && b.running).toBe(true);
    expect([...a.logs.slice(logA), ...b.logs.slice(logB)].filter((line) => line.level >= LOG_LEVEL.error && !isLoss(line))).toEqual([]);
    const steadySent = steadyAcknowledged.length;
    const steadyReceived = steadyAcknowledged.filter((text) => liveTexts.has(text)).length;

    recordReliability('redis-outage', [
      {
        check: 'Redis stopped under two instances (connections reset, new ones refused)',
        tried:
          `${outageSeconds.toFixed(1)} s outage; a client of A writing to a client of B throughout (${steadySent} messages, ${sentDuringCut} during the outage); ` +
          'sends within A and within B over the socket and REST, a client connecting during the outage',
        result:
          `both instances logged the loss once per connection and kept serving: every send acknowledged, delivered live within its instance; ` +
          `/health/ready 503 (redis down) during, 200 after; both connections back ${backAfter.toFixed(1)} s after Redis returned, ` +
          `clients greeted again with hello and caught up (afterSeq) with what was sent across meanwhile; ` +
          `delivery across instances both ways ${resumedAfter.toFixed(1)} s after; ` +
          `${steadyReceived} of ${steadySent} steady messages reached B live, the other ${steadySent - steadyReceived} in its catch-up; no restart`,
      },
    ]);
  }, 240_000);
});
