import { setTimeout as sleep } from 'node:timers/promises';
import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import type { BenchDatabase } from '../database.js';
import { cpuPer, openFilesLimit, startCpuMeter, waitForQuiet, type CpuUse } from '../process-stats.js';
import type { ClientSpec, ConnectResult, SocketCommand } from '../protocol.js';
import type { SeededUser } from '../seed.js';

export interface ConnectionsResult {
  requested: number;
  connected: number;
  held: number;
  failed: number;
  firstError?: string;
  clientProcesses: number;
  openFilesLimit: number | null;
  connectSeconds: number;
  connectsPerSecond: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  kibPerConnection: number;
  /** CPU per connection while connecting (handshake, token check, hello). */
  cpuPerConnection: CpuUse;
  note?: string;
}

const SOCKETS_PER_PROCESS_MAX = 2_500;

/** Scenario 5: idle authenticated sockets on one fresh server process; memory per connection and connect rate. */
export async function runConnections(ctx: BenchContext, db: BenchDatabase, users: SeededUser[]): Promise<ConnectionsResult> {
  const plan = ctx.plan.connections;
  const limit = openFilesLimit();
  // The server holds one descriptor per socket (plus its own); so does each client process for its share.
  const sockets = Math.min(users.length, plan.sockets, Number.isFinite(limit) ? limit - 500 : Number.POSITIVE_INFINITY);
  const processes = Math.max(
    plan.workers,
    Math.ceil(sockets / Math.min(SOCKETS_PER_PROCESS_MAX, Number.isFinite(limit) ? limit - 200 : SOCKETS_PER_PROCESS_MAX)),
  );
  const lists: ClientSpec[][] = Array.from({ length: processes }, () => []);
  users.slice(0, sockets).forEach((user, i) => lists[i % processes].push({ userId: user.id, token: ctx.minter.mint(user), role: 'idle' }));

  const server = await ctx.startParley(db, 'parley (connections)');
  const workers = lists.map((_, i) => ctx.track(ChildWorker.start<SocketCommand>(`idle-${i}`, ctx.script('workers/socket-worker.js'))));
  try {
    await waitForQuiet(server.pid);
    await sleep(1_000);
    const rssBefore = server.rssKiB();
    ctx.log(`connections: opening ${sockets} sockets from ${processes} processes (server RSS ${Math.round(rssBefore / 1024)} MiB)`);
    const cpuUsed = await startCpuMeter({ serverPid: server.pid, backendPids: db.backendPids, clientPids: workers.flatMap((w) => (w.pid ? [w.pid] : [])) });
    const connected = await Promise.all(
      workers.map((worker, i) =>
        worker.request<ConnectResult>({
          type: 'connect',
          baseUrl: server.baseUrl,
          target: 'parley',
          clients: lists[i],
          concurrency: plan.concurrencyPerWorker,
        }),
      ),
    );
    const connectSeconds = (Math.max(...connected.map((c) => c.finishedAt)) - Math.min(...connected.map((c) => c.startedAt))) / 1000;
    const connectCpu = await cpuUsed();
    await waitForQuiet(server.pid);
    await sleep(2_000);
    const rssAfter = server.rssKiB();
    const held = (await Promise.all(workers.map((worker) => worker.request<number>({ type: 'count-connected' })))).reduce((sum, n) => sum + n, 0);
    const total = connected.reduce((sum, c) => sum + c.connected, 0);
    const result: ConnectionsResult = {
      requested: sockets,
      connected: total,
      held,
      failed: connected.reduce((sum, c) => sum + c.failed, 0),
      firstError: connected.find((c) => c.firstError)?.firstError,
      clientProcesses: processes,
      openFilesLimit: Number.isFinite(limit) ? limit : null,
      connectSeconds: Math.round(connectSeconds * 100) / 100,
      connectsPerSecond: Math.round(total / connectSeconds),
      rssBeforeMiB: Math.round(rssBefore / 102.4) / 10,
      rssAfterMiB: Math.round(rssAfter / 102.4) / 10,
      kibPerConnection: held > 0 ? Math.round(((rssAfter - rssBefore) / held) * 10) / 10 : Number.NaN,
      cpuPerConnection: cpuPer(connectCpu, total),
      note:
        [
          plan.note,
          sockets < plan.sockets ? `limited to ${sockets} by the open-files limit (${limit})` : undefined,
          db.kind === 'embedded'
            ? 'the embedded database runs inside the server process, so its memory (the hello queries of every connection) is in these RSS figures'
            : undefined,
        ]
          .filter(Boolean)
          .join('; ') || undefined,
    };
    ctx.log(`connections: ${held} held, ${result.connectsPerSecond}/s, ${result.kibPerConnection} KiB each`);
    return result;
  } finally {
    await Promise.all(workers.map((worker) => ctx.release(worker)));
    await ctx.release(server);
  }
}
