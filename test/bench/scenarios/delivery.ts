import { setTimeout as sleep } from 'node:timers/promises';
import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import type { BenchDatabase } from '../database.js';
import { cpuPer, startCpuMeter, waitForQuiet, type CpuSources, type CpuUse } from '../process-stats.js';
import type { StorageCommand, StorageResult } from '../workers/storage-worker.js';
import type { ClientSpec, ConnectResult, StepSamples, StepSendResult, Target, SocketCommand } from '../protocol.js';
import type { SeededUser } from '../seed.js';
import { ServerProcess } from '../server-process.js';
import { distribution, roundDistribution, type Distribution } from '../stats.js';

export interface DeliveryPair {
  sender: SeededUser;
  receiver: SeededUser;
  threadId: number;
}

export interface DeliveryStep {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  skipped: number;
  stored: number;
  failed: number;
  delivered: number;
  storedPerSecond: number;
  deliveredPerSecond: number;
  latency: Distribution;
  ack: Distribution;
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
}

/** Parley's send statement alone, from another process: what the database path can store on this machine. */
export interface StorageCeiling {
  concurrency: number;
  seconds: number;
  storedPerSecond: number;
  latency: Distribution;
  cpuPerMessage: CpuUse;
}

export interface DeliveryResult {
  pairs: number;
  workers: number;
  stepSeconds: number;
  p99LimitMs: number;
  relay: DeliveryRun;
  parley: DeliveryRun;
  ratio: number;
  /** PostgreSQL only: the embedded database serves the server process alone. */
  storageCeiling: StorageCeiling | null;
}

/** Splits the pairs over the workers: a pair's receiver is never in its sender's process. */
function clientsPerWorker(target: Target, pairs: DeliveryPair[], workers: number, tokenOf: (user: SeededUser) => string): ClientSpec[][] {
  const lists: ClientSpec[][] = Array.from({ length: workers }, () => []);
  pairs.forEach((pair, i) => {
    const auth = (user: SeededUser): { token?: string } => (target === 'parley' ? { token: tokenOf(user) } : {});
    lists[i % workers].push({ userId: pair.sender.id, role: 'sender', threadId: pair.threadId, peerUserId: pair.receiver.id, ...auth(pair.sender) });
    lists[(i + 1) % workers].push({ userId: pair.receiver.id, role: 'receiver', ...auth(pair.receiver) });
  });
  return lists;
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
  const { maxInFlightPerWorker, p99LimitMs } = ctx.plan.delivery;
  const cpuUsed = await startCpuMeter(cpu);
  const sends = await Promise.all(
    workers.map((worker, i) =>
      worker.request<StepSendResult>({
        type: 'send-step',
        stepId,
        ratePerSecond: rate * senderShare[i],
        durationMs: seconds * 1000,
        maxInFlight: maxInFlightPerWorker,
      }),
    ),
  );
  const stored = sends.reduce((sum, s) => sum + s.acked, 0);
  // Wait for the receivers: until they have every stored message, or nothing more arrives for 3 s.
  let received = 0;
  let lastProgress = Date.now();
  while (received < stored && Date.now() - lastProgress < 3_000) {
    await sleep(50);
    const counts = await Promise.all(workers.map((worker) => worker.request<number>({ type: 'received', stepId })));
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total > received) lastProgress = Date.now();
    received = total;
  }
  const used = await cpuUsed();
  const samples = await Promise.all(workers.map((worker) => worker.request<StepSamples>({ type: 'collect', stepId })));
  const latencies = samples.flatMap((s) => s.latencies);
  const startedAt = Math.min(...sends.map((s) => s.startedAt));
  const lastAckAt = Math.max(...sends.map((s) => s.lastAckAt));
  const lastReceivedAt = Math.max(...samples.map((s) => s.lastReceivedAt));
  const sent = sends.reduce((sum, s) => sum + s.sent, 0);
  const skipped = sends.reduce((sum, s) => sum + s.skipped, 0);
  const failed = sends.reduce((sum, s) => sum + s.failed, 0);
  const latency = distribution(latencies);
  const step: DeliveryStep = {
    offeredPerSecond: rate,
    seconds,
    sent,
    skipped,
    stored,
    failed,
    delivered: latencies.length,
    storedPerSecond: Math.round(stored / Math.max(seconds, (lastAckAt - startedAt) / 1000)),
    deliveredPerSecond: Math.round(latencies.length / Math.max(seconds, (lastReceivedAt - startedAt) / 1000)),
    latency: roundDistribution(latency),
    ack: roundDistribution(distribution(sends.flatMap((s) => s.ackLatencies))),
    cpuPerMessage: cpuPer(used, stored),
    sustained: skipped === 0 && failed === 0 && latencies.length >= stored && stored === sent && latency.p99 <= p99LimitMs,
    firstError: sends.find((s) => s.firstError)?.firstError,
  };
  await waitForQuiet(cpu.serverPid, 30_000);
  return step;
}

async function runTarget(
  ctx: BenchContext,
  target: Target,
  server: ServerProcess,
  pairs: DeliveryPair[],
  tokenOf: (user: SeededUser) => string,
  backendPids?: () => Promise<number[]>,
): Promise<DeliveryRun> {
  const plan = ctx.plan.delivery;
  const lists = clientsPerWorker(target, pairs, plan.workers, tokenOf);
  const workers = lists.map((_, i) => ctx.track(ChildWorker.start<SocketCommand>(`${target}-load-${i}`, ctx.script('workers/socket-worker.js'))));
  try {
    const connected = await Promise.all(
      workers.map((worker, i) => worker.request<ConnectResult>({ type: 'connect', baseUrl: server.baseUrl, target, clients: lists[i], concurrency: 20 })),
    );
    const failed = connected.reduce((sum, c) => sum + c.failed, 0);
    if (failed > 0) throw new Error(`${failed} delivery sockets could not connect to ${target}: ${connected.find((c) => c.firstError)?.firstError}`);
    const connectSeconds = (Math.max(...connected.map((c) => c.finishedAt)) - Math.min(...connected.map((c) => c.startedAt))) / 1000;
    const senderShare = lists.map((list) => list.filter((c) => c.role === 'sender').length / pairs.length);
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
          `p50/p95/p99 ${step.latency.p50}/${step.latency.p95}/${step.latency.p99} ms${step.sustained ? '' : ' (not sustained)'}`,
      );
      if (step.latency.p99 > plan.p99LimitMs) {
        stoppedBecause = `p99 passed ${plan.p99LimitMs} ms at ${rate} msg/s`;
        break;
      }
      if (!step.sustained) {
        stoppedBecause = `at ${rate} msg/s not every offered message was sent, stored and delivered (skipped ${step.skipped}, failed ${step.failed}, delivered ${step.delivered} of ${step.stored})`;
        break;
      }
    }
    const sustainedSteps = steps.filter((step) => step.sustained);
    return {
      target,
      connectSeconds: Math.round(connectSeconds * 100) / 100,
      steps,
      sustainedPerSecond: Math.max(0, ...sustainedSteps.map((step) => step.deliveredPerSecond)),
      p99At2000: steps.find((step) => step.offeredPerSecond === 2_000)?.latency.p99 ?? null,
      stoppedBecause,
    };
  } finally {
    await Promise.all(workers.map((worker) => ctx.release(worker)));
  }
}

/** Scenario 1: N sender/receiver pairs in direct threads, the offered rate stepped up; the bare relay first, under the same load. */
export async function runDelivery(ctx: BenchContext, parley: ServerProcess, db: BenchDatabase, pairs: DeliveryPair[]): Promise<DeliveryResult> {
  const plan = ctx.plan.delivery;
  const relayServer = ctx.track(await ServerProcess.start({ label: 'relay', script: ctx.script('relay-server.js'), readiness: 'tcp', env: {} }));
  let relay: DeliveryRun;
  try {
    relay = await runTarget(ctx, 'relay', relayServer, pairs, () => '');
  } finally {
    await ctx.release(relayServer);
  }
  const tokens = new Map(pairs.flatMap((pair) => [pair.sender, pair.receiver]).map((user) => [user.id, ctx.minter.mint(user)]));
  const parleyRun = await runTarget(ctx, 'parley', parley, pairs, (user) => tokens.get(user.id) as string, db.backendPids);
  const storageCeiling = db.serverEnv.DATABASE_URL ? await measureStorageCeiling(ctx, db, pairs) : null;
  return {
    pairs: pairs.length,
    workers: plan.workers,
    stepSeconds: plan.stepSeconds,
    p99LimitMs: plan.p99LimitMs,
    relay,
    parley: parleyRun,
    ratio: relay.sustainedPerSecond > 0 ? Math.round((parleyRun.sustainedPerSecond / relay.sustainedPerSecond) * 1000) / 1000 : 0,
    storageCeiling,
  };
}

const SERVER_POOL_SIZE = 10;

async function measureStorageCeiling(ctx: BenchContext, db: BenchDatabase, pairs: DeliveryPair[]): Promise<StorageCeiling> {
  const plan = ctx.plan.delivery;
  const worker = ctx.track(ChildWorker.start<StorageCommand>('storage', ctx.script('workers/storage-worker.js')));
  try {
    const senders = pairs.map((pair) => ({ senderId: pair.sender.id, threadId: pair.threadId }));
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
