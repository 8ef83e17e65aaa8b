import { setTimeout as sleep } from 'node:timers/promises';
import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import type { BenchDatabase } from '../database.js';
import { cpuPer, startCpuMeter, waitForQuiet, type CpuUse } from '../process-stats.js';
import type { ClientSpec, ConnectResult, FanoutComplete, FanoutSendResult, SocketCommand } from '../protocol.js';
import type { SeededUser } from '../seed.js';
import type { ServerProcess } from '../server-process.js';
import { distribution, roundDistribution, type Distribution } from '../stats.js';

export interface FanoutResult {
  members: number;
  connected: number;
  workers: number;
  messages: number;
  connectSeconds: number;
  /** Per message: from the send until the last of the other members has it. */
  lastMember: Distribution;
  /** Every single delivery of those messages. */
  perDelivery: Distribution;
  /** The sender's acknowledgement (stored). */
  ack: Distribution;
  /** CPU per measured message (each delivered to every member). */
  cpuPerMessage: CpuUse;
  incomplete: number;
}

/** Scenario 2: messages to a group with every member connected; time until the last member has each one. */
export async function runFanout(
  ctx: BenchContext,
  server: ServerProcess,
  db: BenchDatabase,
  group: { threadId: number; members: SeededUser[] },
): Promise<FanoutResult> {
  const plan = ctx.plan.fanout;
  const [sender, ...others] = group.members;
  const lists: ClientSpec[][] = Array.from({ length: plan.workers }, () => []);
  lists[0].push({ userId: sender.id, token: ctx.minter.mint(sender), role: 'sender', threadId: group.threadId });
  others.forEach((member, i) => lists[i % plan.workers].push({ userId: member.id, token: ctx.minter.mint(member), role: 'member' }));
  const workers = lists.map((_, i) => ctx.track(ChildWorker.start<SocketCommand>(`fanout-${i}`, ctx.script('workers/socket-worker.js'))));
  try {
    ctx.log(`fan-out: connecting ${group.members.length} members over ${plan.workers} processes`);
    const connected = await Promise.all(
      workers.map((worker, i) =>
        worker.request<ConnectResult>({ type: 'connect', baseUrl: server.baseUrl, target: 'parley', clients: lists[i], concurrency: 10 }),
      ),
    );
    const failed = connected.reduce((sum, c) => sum + c.failed, 0);
    if (failed > 0) throw new Error(`${failed} members could not connect: ${connected.find((c) => c.firstError)?.firstError}`);
    const connectSeconds = (Math.max(...connected.map((c) => c.finishedAt)) - Math.min(...connected.map((c) => c.startedAt))) / 1000;
    // Every connection announced presence to the other members: let that settle before measuring.
    await waitForQuiet(server.pid, 120_000);

    // A worker reports a message once all of its members have it.
    const reporting = lists.filter((list) => list.some((client) => client.role === 'member')).length;
    const completions = new Map<number, FanoutComplete[]>();
    const waiting = new Map<number, () => void>();
    for (const worker of workers) {
      worker.onEvent((event) => {
        if (event.event !== 'fanout-complete') return;
        const complete = event as unknown as FanoutComplete;
        const list = completions.get(complete.messageNo) ?? [];
        list.push(complete);
        completions.set(complete.messageNo, list);
        if (list.length === reporting) waiting.get(complete.messageNo)?.();
      });
    }

    const lastMember: number[] = [];
    const acks: number[] = [];
    let incomplete = 0;
    const total = plan.warmupMessages + plan.messages;
    ctx.log(`fan-out: ${plan.warmupMessages} warm-up and ${plan.messages} measured messages to ${others.length} members`);
    let cpuUsed: (() => Promise<CpuUse>) | undefined;
    for (let messageNo = 1; messageNo <= total; messageNo += 1) {
      if (messageNo === plan.warmupMessages + 1) {
        cpuUsed = await startCpuMeter({ serverPid: server.pid, backendPids: db.backendPids, clientPids: workers.flatMap((w) => (w.pid ? [w.pid] : [])) });
      }
      const allHaveIt = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 30_000);
        waiting.set(messageNo, () => {
          clearTimeout(timer);
          resolve(true);
        });
        if ((completions.get(messageNo)?.length ?? 0) === reporting) waiting.get(messageNo)?.();
      });
      const sent = await workers[0].request<FanoutSendResult>({ type: 'fanout-send', messageNo });
      const complete = await allHaveIt;
      waiting.delete(messageNo);
      if (messageNo <= plan.warmupMessages) continue;
      acks.push(sent.ackMs);
      if (!complete) {
        incomplete += 1;
        continue;
      }
      lastMember.push(Math.max(...(completions.get(messageNo) ?? []).map((c) => c.lastAt)) - sent.sentAt);
      // A short pause: each message is measured on its own, not queued behind the previous one's receipts.
      await sleep(50);
    }
    const used = cpuUsed ? await cpuUsed() : { serverMs: Number.NaN, databaseMs: null, clientsMs: Number.NaN };
    const perWorker = await Promise.all(workers.map((worker) => worker.request<{ latencies: [number, number][] }>({ type: 'fanout-collect' })));
    const deliveries = perWorker.flatMap((w) => w.latencies.filter(([messageNo]) => messageNo > plan.warmupMessages).map(([, ms]) => ms));
    return {
      members: group.members.length,
      connected: connected.reduce((sum, c) => sum + c.connected, 0),
      workers: plan.workers,
      messages: plan.messages,
      connectSeconds: Math.round(connectSeconds * 100) / 100,
      lastMember: roundDistribution(distribution(lastMember)),
      perDelivery: roundDistribution(distribution(deliveries)),
      ack: roundDistribution(distribution(acks)),
      cpuPerMessage: cpuPer(used, plan.messages),
      incomplete,
    };
  } finally {
    await Promise.all(workers.map((worker) => ctx.release(worker)));
  }
}
