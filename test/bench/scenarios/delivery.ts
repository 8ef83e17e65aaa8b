import { setTimeout as sleep } from 'node:timers/promises';
import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import type { BenchDatabase } from '../database.js';
import { cpuPer, startCpuMeter, waitForQuiet, type CpuSources, type CpuUse } from '../process-stats.js';
import type { StorageCommand, StorageResult } from '../workers/storage-worker.js';
import type { BenchPlan } from '../plan.js';
import type { ClientSpec, ConnectResult, OrderCounts, SendSlot, StepSamples, StepSendResult, Target, SocketCommand } from '../protocol.js';
import type { SeededUser } from '../seed.js';
import { ServerProcess } from '../server-process.js';
import { distribution, roundDistribution, type Distribution } from '../stats.js';

/** A direct thread of the delivery scenario and its two users, both of whom send on it and receive from it. */
export interface DeliveryThread {
  threadId: number;
  users: [SeededUser, SeededUser];
}

export interface DeliveryStep {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  skipped: number;
  /** Acknowledged with `ok: true`. */
  stored: number;
  /** Refused with `overloaded`. */
  refused: number;
  /** Any other refusal, or no answer. */
  failed: number;
  /** Deliveries of the step's messages to their recipients' sockets: each stored message should reach every socket of its recipient. */
  delivered: number;
  storedPerSecond: number;
  /** Messages per second delivered to their recipient (deliveries ÷ sockets per user). */
  deliveredPerSecond: number;
  latency: Distribution;
  ack: Distribution;
  /** The order of `message:new` of the step's messages on every socket (recipients' and the sender's own). */
  order: OrderCounts;
  /** CPU per stored message: the server, its PostgreSQL backends, the load-generating processes. */
  cpuPerMessage: CpuUse;
  sustained: boolean;
  /** 2 when the first attempt was not sustained and the step was measured again (these figures are the second). */
  attempts?: number;
  firstError?: string;
}

export interface DeliveryRun {
  target: Target;
  connectSeconds: number;
  steps: DeliveryStep[];
  /** The highest delivered rate of a step with everything stored and delivered and p99 within the limit. */
  sustainedPerSecond: number;
  /** p99 send→receive at the 2,000 messages/s step, when there was one. */
  p99At2000: number | null;
  stoppedBecause: string;
  /** Every `message:new` of the whole run on every socket: warm-up, steps measured twice and the overload step included. */
  order: OrderCounts;
}

/**
 * Parley after the stepped run: twice the sustained rate (at least a floor), offered whatever the answers. The
 * server should acknowledge each send within a second or refuse it at once with `overloaded`, and deliver what it accepted.
 */
export interface OverloadStep {
  offeredPerSecond: number;
  seconds: number;
  /** The sustained rate of the stepped run it was derived from. */
  sustainedPerSecond: number;
  sent: number;
  /** Not sent by the load generator: should be 0 (its in-flight limit is set out of reach). */
  skipped: number;
  /** Acknowledged with `ok: true` (stored). */
  accepted: number;
  /** Refused with `overloaded`. */
  refused: number;
  /** Any other refusal, or no answer within the ack timeout. */
  otherFailures: number;
  firstError?: string;
  /** Sends answered (either way) more than a second after they were sent, or never. */
  answeredAfter1s: number;
  acceptedPerSecond: number;
  /** Send → `ok` acknowledgement. */
  acceptedAck: Distribution;
  /** Send → `overloaded` refusal. */
  refusalAck: Distribution;
  /** Accepted messages that reached every socket of their recipient. */
  deliveredToAll: number;
  /** deliveredToAll ÷ accepted. */
  deliveredFraction: number;
  /** Send → receive of the accepted messages, at their recipients' sockets. */
  latency: Distribution;
  order: OrderCounts;
  /** CPU per accepted message. */
  cpuPerMessage: CpuUse;
}

/** Parley's send path to the database alone (group commit), from another process: what it can store on this machine. */
export interface StorageCeiling {
  concurrency: number;
  seconds: number;
  storedPerSecond: number;
  latency: Distribution;
  cpuPerMessage: CpuUse;
}

export interface DeliveryResult {
  users: number;
  threads: number;
  socketsPerUser: number;
  sockets: number;
  /** (thread, sending user) pairs: each user sends on each of its threads through one of its sockets. */
  sendSlots: number;
  workers: number;
  stepSeconds: number;
  p99LimitMs: number;
  relay: DeliveryRun;
  parley: DeliveryRun;
  ratio: number;
  /** Parley only. */
  overload: OverloadStep;
  /** PostgreSQL only: the embedded database serves the server process alone. */
  storageCeiling: StorageCeiling | null;
}

/** How long a send of the stepped run waits for its acknowledgement before it counts as failed. */
const STEP_ACK_TIMEOUT_MS = 60_000;

const noOrderCounts = (): OrderCounts => ({ checked: 0, violations: 0, gaps: 0, duplicates: 0 });

function sumOrder(counts: OrderCounts[]): OrderCounts {
  return counts.reduce(
    (sum, c) => ({
      checked: sum.checked + c.checked,
      violations: sum.violations + c.violations,
      gaps: sum.gaps + c.gaps,
      duplicates: sum.duplicates + c.duplicates,
    }),
    noOrderCounts(),
  );
}

/** The threads' users, in order of first appearance. */
function usersOf(threads: DeliveryThread[]): SeededUser[] {
  const users = new Map<number, SeededUser>();
  for (const thread of threads) for (const user of thread.users) users.set(user.id, user);
  return [...users.values()];
}

/**
 * Every user has `socketsPerUser` sockets, socket k in worker k % workers. Thread i (users a, b) is sent on by a
 * through its socket i % socketsPerUser and by b through its socket (i + 1) % socketsPerUser.
 */
function clientsPerWorker(target: Target, threads: DeliveryThread[], plan: BenchPlan['delivery'], tokenOf: (user: SeededUser) => string): ClientSpec[][] {
  const { socketsPerUser, workers } = plan;
  const lists: ClientSpec[][] = Array.from({ length: workers }, () => []);
  const sockets = new Map<string, ClientSpec>();
  for (const user of usersOf(threads)) {
    for (let k = 0; k < socketsPerUser; k += 1) {
      const spec: ClientSpec = { userId: user.id, role: 'chat', sendSlots: [], ...(target === 'parley' ? { token: tokenOf(user) } : {}) };
      sockets.set(`${user.id}/${k}`, spec);
      lists[k % workers].push(spec);
    }
  }
  const slotsOf = (user: SeededUser, k: number): SendSlot[] => sockets.get(`${user.id}/${k}`)?.sendSlots ?? [];
  threads.forEach((thread, i) => {
    const [a, b] = thread.users;
    slotsOf(a, i % socketsPerUser).push({ threadId: thread.threadId, peerUserId: b.id, order: 2 * i });
    slotsOf(b, (i + 1) % socketsPerUser).push({ threadId: thread.threadId, peerUserId: a.id, order: 2 * i + 1 });
  });
  return lists;
}

/** Polls the workers until they have `expected` deliveries of the step, or nothing more arrived for 3 s. */
async function waitForDeliveries(workers: ChildWorker<SocketCommand>[], stepId: number, expected: number): Promise<void> {
  let received = 0;
  let lastProgress = Date.now();
  while (received < expected && Date.now() - lastProgress < 3_000) {
    await sleep(50);
    const counts = await Promise.all(workers.map((worker) => worker.request<number>({ type: 'received', stepId })));
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total > received) lastProgress = Date.now();
    received = total;
  }
}

/** Every worker sends open-loop at its share of `rate` for one step. */
function sendStep(
  workers: ChildWorker<SocketCommand>[],
  senderShare: number[],
  stepId: number,
  rate: number,
  limits: { durationMs: number; maxInFlight: number; ackTimeoutMs: number },
): Promise<StepSendResult[]> {
  return Promise.all(
    workers.map((worker, i) => worker.request<StepSendResult>({ type: 'send-step', stepId, ratePerSecond: rate * senderShare[i], ...limits })),
  );
}

async function runStep(
  ctx: BenchContext,
  workers: ChildWorker<SocketCommand>[],
  senderShare: number[],
  stepId: number,
  rate: number,
  seconds: number,
  cpu: CpuSources,
): Promise<DeliveryStep> {
  const { maxInFlightPerWorker, p99LimitMs, socketsPerUser } = ctx.plan.delivery;
  const cpuUsed = await startCpuMeter(cpu);
  const sends = await sendStep(workers, senderShare, stepId, rate, {
    durationMs: seconds * 1000,
    maxInFlight: maxInFlightPerWorker,
    ackTimeoutMs: STEP_ACK_TIMEOUT_MS,
  });
  const stored = sends.reduce((sum, s) => sum + s.acked, 0);
  // Wait for the recipients: until every socket of each has every stored message, or nothing more arrives for 3 s.
  await waitForDeliveries(workers, stepId, stored * socketsPerUser);
  const used = await cpuUsed();
  const samples = await Promise.all(workers.map((worker) => worker.request<StepSamples>({ type: 'collect', stepId })));
  const latencies = samples.flatMap((s) => s.latencies);
  const startedAt = Math.min(...sends.map((s) => s.startedAt));
  const lastAckAt = Math.max(...sends.map((s) => s.lastAckAt));
  const lastReceivedAt = Math.max(...samples.map((s) => s.lastReceivedAt));
  const sent = sends.reduce((sum, s) => sum + s.sent, 0);
  const skipped = sends.reduce((sum, s) => sum + s.skipped, 0);
  const refused = sends.reduce((sum, s) => sum + s.refused, 0);
  const failed = sends.reduce((sum, s) => sum + s.failed, 0);
  const latency = distribution(latencies);
  const step: DeliveryStep = {
    offeredPerSecond: rate,
    seconds,
    sent,
    skipped,
    stored,
    refused,
    failed,
    delivered: latencies.length,
    storedPerSecond: Math.round(stored / Math.max(seconds, (lastAckAt - startedAt) / 1000)),
    deliveredPerSecond: Math.round(latencies.length / socketsPerUser / Math.max(seconds, (lastReceivedAt - startedAt) / 1000)),
    latency: roundDistribution(latency),
    ack: roundDistribution(distribution(sends.flatMap((s) => s.ackLatencies))),
    order: sumOrder(samples.map((s) => s.order)),
    cpuPerMessage: cpuPer(used, stored),
    sustained: skipped === 0 && refused === 0 && failed === 0 && stored === sent && latencies.length >= stored * socketsPerUser && latency.p99 <= p99LimitMs,
    firstError: sends.find((s) => s.firstError)?.firstError ?? (refused > 0 ? 'overloaded' : undefined),
  };
  await waitForQuiet(cpu.serverPid, 30_000);
  return step;
}

/** The overload step: every message followed by its clientMessageId, from the acknowledgement to each recipient socket. */
async function runOverload(
  ctx: BenchContext,
  workers: ChildWorker<SocketCommand>[],
  senderShare: number[],
  stepId: number,
  sustainedPerSecond: number,
  cpu: CpuSources,
): Promise<OverloadStep> {
  const { socketsPerUser, overload } = ctx.plan.delivery;
  const rate = Math.max(overload.minRate, Math.round(overload.factor * sustainedPerSecond));
  ctx.log(
    `delivery/parley: overload, ${rate} msg/s for ${overload.seconds} s (${overload.factor} × the sustained ${sustainedPerSecond} msg/s, at least ${overload.minRate})`,
  );
  await Promise.all(workers.map((worker) => worker.request({ type: 'track-ids', stepId })));
  const cpuUsed = await startCpuMeter(cpu);
  const sends = await sendStep(workers, senderShare, stepId, rate, {
    durationMs: overload.seconds * 1000,
    maxInFlight: overload.maxInFlightPerWorker,
    ackTimeoutMs: overload.ackTimeoutMs,
  });
  const accepted = sends.reduce((sum, s) => sum + s.acked, 0);
  await waitForDeliveries(workers, stepId, accepted * socketsPerUser);
  const used = await cpuUsed();
  const samples = await Promise.all(workers.map((worker) => worker.request<StepSamples>({ type: 'collect', stepId })));
  // Recipient sockets per message, over all workers (a worker counts each of its sockets once per message).
  const sockets = new Map<string, number>();
  for (const sample of samples) for (const [id, count] of sample.receivedBy ?? []) sockets.set(id, (sockets.get(id) ?? 0) + count);
  const acceptedIds = sends.flatMap((s) => s.acceptedIds ?? []);
  const deliveredToAll = acceptedIds.filter((id) => (sockets.get(id) ?? 0) >= socketsPerUser).length;
  const startedAt = Math.min(...sends.map((s) => s.startedAt));
  const lastAckAt = Math.max(...sends.map((s) => s.lastAckAt));
  const step: OverloadStep = {
    offeredPerSecond: rate,
    seconds: overload.seconds,
    sustainedPerSecond,
    sent: sends.reduce((sum, s) => sum + s.sent, 0),
    skipped: sends.reduce((sum, s) => sum + s.skipped, 0),
    accepted,
    refused: sends.reduce((sum, s) => sum + s.refused, 0),
    otherFailures: sends.reduce((sum, s) => sum + s.failed, 0),
    firstError: sends.find((s) => s.firstError)?.firstError,
    answeredAfter1s: sends.reduce((sum, s) => sum + s.answeredAfter1s, 0),
    acceptedPerSecond: Math.round(accepted / Math.max(overload.seconds, (lastAckAt - startedAt) / 1000)),
    acceptedAck: roundDistribution(distribution(sends.flatMap((s) => s.ackLatencies))),
    refusalAck: roundDistribution(distribution(sends.flatMap((s) => s.refusalLatencies))),
    deliveredToAll,
    deliveredFraction: accepted > 0 ? Math.round((deliveredToAll / accepted) * 10_000) / 10_000 : 0,
    latency: roundDistribution(distribution(samples.flatMap((s) => s.latencies))),
    order: sumOrder(samples.map((s) => s.order)),
    cpuPerMessage: cpuPer(used, accepted),
  };
  ctx.log(
    `delivery/parley: overload: ${step.sent} sent, ${step.accepted} accepted (ack p99 ${step.acceptedAck.p99} ms), ${step.refused} refused ` +
      `(p99 ${step.refusalAck.p99} ms), ${step.otherFailures} other failures, ${step.answeredAfter1s} answered after 1 s; ` +
      `${step.deliveredToAll} delivered to every recipient socket, p99 ${step.latency.p99} ms`,
  );
  await waitForQuiet(cpu.serverPid, 30_000);
  return step;
}

async function runTarget(
  ctx: BenchContext,
  target: Target,
  server: ServerProcess,
  threads: DeliveryThread[],
  tokenOf: (user: SeededUser) => string,
  backendPids?: () => Promise<number[]>,
): Promise<{ run: DeliveryRun; overload?: OverloadStep }> {
  const plan = ctx.plan.delivery;
  const lists = clientsPerWorker(target, threads, plan, tokenOf);
  const workers = lists.map((_, i) => ctx.track(ChildWorker.start<SocketCommand>(`${target}-load-${i}`, ctx.script('workers/socket-worker.js'))));
  try {
    const connected = await Promise.all(
      workers.map((worker, i) => worker.request<ConnectResult>({ type: 'connect', baseUrl: server.baseUrl, target, clients: lists[i], concurrency: 20 })),
    );
    const failed = connected.reduce((sum, c) => sum + c.failed, 0);
    if (failed > 0) throw new Error(`${failed} delivery sockets could not connect to ${target}: ${connected.find((c) => c.firstError)?.firstError}`);
    const connectSeconds = (Math.max(...connected.map((c) => c.finishedAt)) - Math.min(...connected.map((c) => c.startedAt))) / 1000;
    const slotCount = (list: ClientSpec[]): number => list.reduce((sum, c) => sum + (c.sendSlots?.length ?? 0), 0);
    const totalSlots = lists.reduce((sum, list) => sum + slotCount(list), 0);
    const senderShare = lists.map((list) => slotCount(list) / totalSlots);
    const cpu: CpuSources = { serverPid: server.pid, backendPids, clientPids: workers.flatMap((worker) => (worker.pid ? [worker.pid] : [])) };
    await waitForQuiet(server.pid);

    ctx.log(`delivery/${target}: warm-up, ${plan.warmupRate} msg/s for ${plan.warmupSeconds} s`);
    await runStep(ctx, workers, senderShare, 0, plan.warmupRate, plan.warmupSeconds, cpu);

    const steps: DeliveryStep[] = [];
    let stoppedBecause = `the last rate step (${plan.rates[plan.rates.length - 1]} msg/s) was reached`;
    let stepId = 0;
    for (const rate of plan.rates) {
      let step = await runStep(ctx, workers, senderShare, ++stepId, rate, plan.stepSeconds, cpu);
      // One noisy step (the machine is shared) should not end the run: a failing step is measured once more.
      if (!step.sustained && plan.confirmFailures) {
        ctx.log(`delivery/${target}: ${rate}/s not sustained (p99 ${step.latency.p99} ms); measuring it once more`);
        step = { ...(await runStep(ctx, workers, senderShare, ++stepId, rate, plan.stepSeconds, cpu)), attempts: 2 };
      }
      steps.push(step);
      ctx.log(
        `delivery/${target}: offered ${rate}/s → stored ${step.storedPerSecond}/s, delivered ${step.deliveredPerSecond}/s, ` +
          `p50/p95/p99 ${step.latency.p50}/${step.latency.p95}/${step.latency.p99} ms, ${step.order.violations} order violations` +
          `${step.sustained ? '' : ' (not sustained)'}`,
      );
      if (step.latency.p99 > plan.p99LimitMs) {
        stoppedBecause = `p99 passed ${plan.p99LimitMs} ms at ${rate} msg/s`;
        break;
      }
      if (!step.sustained) {
        stoppedBecause =
          `at ${rate} msg/s not every offered message was sent, stored and delivered to both sockets of its recipient ` +
          `(skipped ${step.skipped}, refused ${step.refused}, failed ${step.failed}, delivered ${step.delivered} of ${step.stored * plan.socketsPerUser})`;
        break;
      }
    }
    const sustainedPerSecond = Math.max(0, ...steps.filter((step) => step.sustained).map((step) => step.deliveredPerSecond));
    const overload = target === 'parley' ? await runOverload(ctx, workers, senderShare, ++stepId, sustainedPerSecond, cpu) : undefined;
    const order = sumOrder(await Promise.all(workers.map((worker) => worker.request<OrderCounts>({ type: 'order-totals' }))));
    ctx.log(`delivery/${target}: ${order.violations} order violations in ${order.checked} message:new frames checked`);
    return {
      run: {
        target,
        connectSeconds: Math.round(connectSeconds * 100) / 100,
        steps,
        sustainedPerSecond,
        p99At2000: steps.find((step) => step.offeredPerSecond === 2_000)?.latency.p99 ?? null,
        stoppedBecause,
        order,
      },
      overload,
    };
  } finally {
    await Promise.all(workers.map((worker) => ctx.release(worker)));
  }
}

/**
 * Scenario 1: a few users all chatting with each other (one direct thread per pair, every user on several sockets,
 * every socket sending and receiving), the offered rate stepped up; the bare relay first, under the same load; then
 * an overload step on Parley.
 */
export async function runDelivery(ctx: BenchContext, parley: ServerProcess, db: BenchDatabase, threads: DeliveryThread[]): Promise<DeliveryResult> {
  const plan = ctx.plan.delivery;
  const relayServer = ctx.track(await ServerProcess.start({ label: 'relay', script: ctx.script('relay-server.js'), readiness: 'tcp', env: {} }));
  let relay: DeliveryRun;
  try {
    relay = (await runTarget(ctx, 'relay', relayServer, threads, () => '')).run;
  } finally {
    await ctx.release(relayServer);
  }
  const users = usersOf(threads);
  const tokens = new Map(users.map((user) => [user.id, ctx.minter.mint(user)]));
  const parleyRun = await runTarget(ctx, 'parley', parley, threads, (user) => tokens.get(user.id) as string, db.backendPids);
  if (!parleyRun.overload) throw new Error('the overload step did not run');
  const storageCeiling = db.serverEnv.DATABASE_URL ? await measureStorageCeiling(ctx, db, threads) : null;
  return {
    users: users.length,
    threads: threads.length,
    socketsPerUser: plan.socketsPerUser,
    sockets: users.length * plan.socketsPerUser,
    sendSlots: threads.length * 2,
    workers: plan.workers,
    stepSeconds: plan.stepSeconds,
    p99LimitMs: plan.p99LimitMs,
    relay,
    parley: parleyRun.run,
    ratio: relay.sustainedPerSecond > 0 ? Math.round((parleyRun.run.sustainedPerSecond / relay.sustainedPerSecond) * 1000) / 1000 : 0,
    overload: parleyRun.overload,
    storageCeiling,
  };
}

const SERVER_POOL_SIZE = 10;

async function measureStorageCeiling(ctx: BenchContext, db: BenchDatabase, threads: DeliveryThread[]): Promise<StorageCeiling> {
  const plan = ctx.plan.delivery;
  const worker = ctx.track(ChildWorker.start<StorageCommand>('storage', ctx.script('workers/storage-worker.js')));
  try {
    // Both users of every thread write to it, as in the delivery steps.
    const senders = threads.flatMap((thread) => thread.users.map((user) => ({ senderId: user.id, threadId: thread.threadId })));
    const concurrency = SERVER_POOL_SIZE * 2;
    await worker.request({ type: 'open', databaseUrl: db.serverEnv.DATABASE_URL, poolSize: SERVER_POOL_SIZE });
    // Warm-up: JIT, and every pooled connection opened, so that their backends are counted from the start.
    await worker.request({ type: 'store', concurrency, durationMs: 1_000, senders });
    const cpuUsed = await startCpuMeter({ serverPid: worker.pid as number, backendPids: db.backendPids });
    const result = await worker.request<StorageResult>({ type: 'store', concurrency, durationMs: plan.stepSeconds * 1000, senders });
    const used = await cpuUsed();
    await worker.request({ type: 'close' });
    const ceiling: StorageCeiling = {
      concurrency,
      seconds: Math.round(result.seconds * 10) / 10,
      storedPerSecond: Math.round(result.stored / result.seconds),
      latency: roundDistribution(distribution(result.latencies)),
      // "server" is the calling process here.
      cpuPerMessage: cpuPer(used, result.stored),
    };
    ctx.log(`delivery/storage ceiling: ${ceiling.storedPerSecond} msg/s stored, p99 ${ceiling.latency.p99} ms`);
    return ceiling;
  } finally {
    await ctx.release(worker);
  }
}
