import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import type { BenchDatabase } from '../database.js';
import { cpuPer, startCpuMeter, waitForQuiet, type CpuUse } from '../process-stats.js';
import type { AutocannonSummary, HttpTarget, HttpCommand } from '../protocol.js';
import type { ServerProcess } from '../server-process.js';

export interface RestUser {
  token: string;
  threadIds: number[];
}

export interface RestEndpointResult extends AutocannonSummary {
  name: string;
  request: string;
  /** CPU per successful request: the server, its PostgreSQL backends, autocannon's process. */
  cpuPerRequest: CpuUse;
}

export interface RestResult {
  connections: number;
  durationSeconds: number;
  users: number;
  threads: number;
  endpoints: RestEndpointResult[];
}

/** Scenario 3: autocannon against four endpoints in turn, each request by the next user or to the next thread. */
export async function runRest(ctx: BenchContext, server: ServerProcess, db: BenchDatabase, users: RestUser[]): Promise<RestResult> {
  const { connections, durationSeconds } = ctx.plan.rest;
  const perThread = users.flatMap((user) => user.threadIds.map((threadId) => ({ threadId, authorization: `Bearer ${user.token}` })));
  const endpoints: { name: string; request: string; targets: HttpTarget[] }[] = [
    {
      name: 'send a message',
      request: 'POST /api/v1/threads/{id}/messages/',
      targets: perThread.map(({ threadId, authorization }, i) => ({
        method: 'POST',
        path: `/api/v1/threads/${threadId}/messages/`,
        authorization,
        body: JSON.stringify({ text: `REST benchmark message ${i}` }),
      })),
    },
    {
      name: 'history, 50 messages',
      request: 'GET /api/v1/threads/{id}/messages/?limit=50',
      targets: perThread.map(({ threadId, authorization }) => ({ method: 'GET', path: `/api/v1/threads/${threadId}/messages/?limit=50`, authorization })),
    },
    {
      name: 'threads list',
      request: 'GET /api/v1/threads/',
      targets: users.map((user) => ({ method: 'GET', path: '/api/v1/threads/', authorization: `Bearer ${user.token}` })),
    },
    {
      name: 'unread counts',
      request: 'GET /api/v1/unread_count/',
      targets: users.map((user) => ({ method: 'GET', path: '/api/v1/unread_count/', authorization: `Bearer ${user.token}` })),
    },
  ];
  const worker = ctx.track(ChildWorker.start<HttpCommand>('rest-load', ctx.script('workers/http-worker.js')));
  try {
    const results: RestEndpointResult[] = [];
    for (const endpoint of endpoints) {
      await waitForQuiet(server.pid);
      const cpuUsed = await startCpuMeter({ serverPid: server.pid, backendPids: db.backendPids, clientPids: worker.pid ? [worker.pid] : [] });
      const summary = await worker.request<AutocannonSummary>({
        type: 'autocannon',
        baseUrl: server.baseUrl,
        connections,
        durationSeconds,
        targets: endpoint.targets,
      });
      ctx.log(
        `rest: ${endpoint.request}: ${Math.round(summary.requestsPerSecond)} req/s, p99 ${summary.latencyP99} ms, ${summary.non2xx} non-2xx, ${summary.errors} errors`,
      );
      const cpuPerRequest = cpuPer(await cpuUsed(), summary.ok);
      results.push({ name: endpoint.name, request: endpoint.request, ...summary, requestsPerSecond: Math.round(summary.requestsPerSecond), cpuPerRequest });
    }
    return { connections, durationSeconds, users: users.length, threads: perThread.length, endpoints: results };
  } finally {
    await ctx.release(worker);
  }
}
