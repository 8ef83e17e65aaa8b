import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connectLive, type LiveClient } from './sockets.js';
import type { TestApp, TestUser } from './test-app.js';

/**
 * The contract: "A thread's `message:new` events reach every socket in `seq` order, without gaps, however many
 * instances and database connections took part." Round after round of concurrent sends (REST requests fired back
 * to back without waiting for their answers, and socket sends, from several senders into the same threads); after
 * each round every socket must hold each thread's messages as exactly 1, 2, 3 … with nothing reordered, missing or
 * repeated. With two apps, every participant has a tab on each and every other send goes through the other one.
 */

interface StoredMessage {
  id: number;
  threadId: number;
  seq: number;
}

// How long a round may take to reach every socket (a gap is filled from the database after 150 ms).
const DELIVERY_WAIT_MS = 10_000;

/** Who sends how many messages, and how, into which thread, in every round. */
interface SendPlan {
  thread: 'direct' | 'group';
  sender: 'alice' | 'bob' | 'carol' | 'dave';
  rest: number;
  socket: number;
}

// Each thread's first plan is a burst over REST from one user, as a script or a quick typist sends them.
const PLANS: SendPlan[] = [
  { thread: 'direct', sender: 'alice', rest: 12, socket: 0 },
  { thread: 'direct', sender: 'bob', rest: 2, socket: 4 },
  { thread: 'group', sender: 'bob', rest: 12, socket: 0 },
  { thread: 'group', sender: 'alice', rest: 0, socket: 3 },
  { thread: 'group', sender: 'carol', rest: 3, socket: 3 },
  { thread: 'group', sender: 'dave', rest: 0, socket: 3 },
];

/** What is wrong with a socket's seqs for a thread that holds 1 … `count`, or null when they are exactly that. */
function orderProblem(seqs: number[], count: number): string | null {
  const firstWrong = seqs.findIndex((seq, i) => seq !== i + 1);
  if (firstWrong === -1 && seqs.length === count) return null;
  const seen = new Set<number>();
  const duplicates = seqs.filter((seq) => seen.has(seq) || !seen.add(seq));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((seq) => !seen.has(seq));
  const at = firstWrong === -1 ? seqs.length : firstWrong;
  const from = Math.max(0, at - 5);
  const around = seqs.slice(from, at + 6).map((seq, i) => (from + i === at ? `>${seq}<` : String(seq)));
  return [
    `${seqs.length} message:new for seqs 1..${count}`,
    firstWrong === -1 ? `ends after seq ${seqs.length}` : `position ${at + 1} is seq ${seqs[at]} where ${at + 1} was due`,
    `around it [${from > 0 ? '…, ' : ''}${around.join(', ')}${at + 6 < seqs.length ? ', …' : ''}]`,
    ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
    ...(duplicates.length > 0 ? [`repeated ${duplicates.join(', ')}`] : []),
  ].join('; ');
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

export async function checkDeliveryOrder(apps: TestApp[], rounds: number): Promise<void> {
  const [first] = apps;
  const instanceName = (tab: number): string => 'AB'[tab % apps.length];
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => first.createUser(`order-${name}`)));
  const users: Record<SendPlan['sender'], TestUser> = { alice, bob, carol, dave };
  const threads: Record<SendPlan['thread'], number> = {
    direct: await first.createThread(alice, [bob]),
    group: await apps[apps.length - 1].createThread(alice, [bob, carol, dave], 'Order'),
  };
  const members: Record<SendPlan['thread'], SendPlan['sender'][]> = { direct: ['alice', 'bob'], group: ['alice', 'bob', 'carol', 'dave'] };
  // Two tabs per participant (one on each instance, when there are two), connected before the first message.
  const sockets = {} as Record<SendPlan['sender'], LiveClient[]>;
  const open: LiveClient[] = [];
  try {
    for (const [name, user] of Object.entries(users) as [SendPlan['sender'], TestUser][]) {
      sockets[name] = await Promise.all([0, 1].map((tab) => connectLive(apps[tab % apps.length].baseUrl, user.token)));
      open.push(...sockets[name]);
    }
    await runRounds({ apps, instanceName, users, threads, members, sockets }, rounds);
  } finally {
    for (const client of open) client.close();
  }
}

async function sendOverRest(app: TestApp, sender: TestUser, threadId: number, text: string): Promise<StoredMessage> {
  const res = await app.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', sender.auth).send({ text, clientMessageId: randomUUID() });
  if (res.status !== 201) throw new Error(`REST send "${text}" answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as StoredMessage;
}

async function sendOverSocket(client: LiveClient, threadId: number, text: string): Promise<StoredMessage> {
  const ack = await client.request<{ ok: boolean; message?: StoredMessage; error?: unknown }>('message:send', {
    threadId,
    text,
    clientMessageId: randomUUID(),
  });
  if (!ack.ok || !ack.message) throw new Error(`socket send "${text}" was refused: ${JSON.stringify(ack.error)}`);
  return ack.message;
}

/** What the rounds run on: the apps, who is who, the threads with their members, each participant's two tabs. */
interface OrderSetup {
  apps: TestApp[];
  instanceName: (tab: number) => string;
  users: Record<SendPlan['sender'], TestUser>;
  threads: Record<SendPlan['thread'], number>;
  members: Record<SendPlan['thread'], SendPlan['sender'][]>;
  sockets: Record<SendPlan['sender'], LiveClient[]>;
}

async function runRounds({ apps, instanceName, users, threads, members, sockets }: OrderSetup, rounds: number): Promise<void> {
  // Per thread: the id of each acknowledged seq.
  const acked: Record<SendPlan['thread'], Map<number, number>> = { direct: new Map(), group: new Map() };
  const received = (client: LiveClient, threadId: number): StoredMessage[] =>
    client
      .all<{ message: StoredMessage }>('message:new')
      .map((frame) => frame.message)
      .filter((message) => message.threadId === threadId);

  for (let round = 1; round <= rounds; round += 1) {
    // Every send of the round is fired before any answer is awaited, the plans' sends interleaved.
    const sends: Promise<{ thread: SendPlan['thread']; message: StoredMessage }>[] = [];
    const longest = Math.max(...PLANS.map((plan) => plan.rest + plan.socket));
    for (let i = 0; i < longest; i += 1) {
      for (const plan of PLANS) {
        if (i >= plan.rest + plan.socket) continue;
        // Every other send through the other tab (on the other instance, when there are two), REST alike.
        const tab = i % 2;
        const app = apps[tab % apps.length];
        const text = `r${round} ${plan.sender} ${i + 1} into ${plan.thread} via ${instanceName(tab)}`;
        const threadId = threads[plan.thread];
        const sent = i < plan.rest ? sendOverRest(app, users[plan.sender], threadId, text) : sendOverSocket(sockets[plan.sender][tab], threadId, text);
        sends.push(sent.then((message) => ({ thread: plan.thread, message })));
      }
    }
    for (const { thread, message } of await Promise.all(sends)) {
      expect(message.threadId).toBe(threads[thread]);
      expect(acked[thread].has(message.seq)).toBe(false);
      acked[thread].set(message.seq, message.id);
    }

    const everyoneHasEverything = (): boolean =>
      (Object.keys(members) as SendPlan['thread'][]).every((thread) =>
        members[thread].every((name) =>
          sockets[name].every((client) => {
            const ids = new Set(received(client, threads[thread]).map((message) => message.id));
            return [...acked[thread].values()].every((id) => ids.has(id));
          }),
        ),
      );
    await waitUntil(everyoneHasEverything, DELIVERY_WAIT_MS);

    const problems: string[] = [];
    for (const thread of Object.keys(members) as SendPlan['thread'][]) {
      const count = acked[thread].size;
      // Stored seqs are 1 … count with no gaps: the rest of the check relies on it.
      expect([...acked[thread].keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      for (const name of members[thread]) {
        sockets[name].forEach((client, tab) => {
          const messages = received(client, threads[thread]);
          const problem = orderProblem(
            messages.map((message) => message.seq),
            count,
          );
          const wrongId = messages.find((message) => acked[thread].get(message.seq) !== message.id);
          const where = `round ${round}, ${name}'s socket ${tab + 1} (instance ${instanceName(tab)}), ${thread} thread ${threads[thread]}`;
          if (problem) problems.push(`${where}: ${problem}`);
          else if (wrongId) problems.push(`${where}: seq ${wrongId.seq} arrived as message ${wrongId.id}, stored as ${acked[thread].get(wrongId.seq)}`);
        });
      }
    }
    expect(problems).toEqual([]);
  }
}
