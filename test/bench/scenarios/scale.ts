import { ChildWorker } from '../child-worker.js';
import type { BenchContext } from '../context.js';
import { createDatabase, type Sql } from '../database.js';
import type { HttpTarget, SampleResult, HttpCommand } from '../protocol.js';
import { analyze, appendDirectMessages, insertDirectThreads, insertUsers, settleReadMarkers } from '../seed.js';
import { distribution, roundDistribution, roundMs, type Distribution } from '../stats.js';

export interface ScaleEndpoint {
  name: string;
  request: string;
  latency: Distribution;
  statuses: Record<string, number>;
  bytes: number;
}

export const SEARCH_RARE = 'search, a word in 1% of the messages';
export const SEARCH_COMMON = 'search, a word in 20% of the messages';

/** What PostgreSQL itself does for the deep page: a naive OFFSET query against the seq range Parley runs. */
export interface DeepPagePlans {
  naiveOffset: { executionMs: number; rowsRead: number };
  seqRange: { executionMs: number; rowsRead: number };
}

export interface ScaleSize {
  messages: number;
  threads: number;
  bigThreadMessages: number;
  deepOffset: number;
  loadSeconds: number;
  busyUserUnread: number;
  endpoints: ScaleEndpoint[];
  deepPagePlans: DeepPagePlans;
}

export interface ScaleResult {
  threads: number;
  busyUserThreads: number;
  samples: number;
  note?: string;
  sizes: ScaleSize[];
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Execution time and the rows the scan under the Limit produced (what the query had to read). */
async function explain(sql: Sql, query: string): Promise<{ executionMs: number; rowsRead: number }> {
  const runs: { executionMs: number; rowsRead: number }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const rows = await sql.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
    const raw = rows[0]['QUERY PLAN'];
    const [plan] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode; 'Execution Time': number }];
    const limit = plan.Plan;
    const scan = limit.Plans?.[0] ?? limit;
    runs.push({ executionMs: plan['Execution Time'], rowsRead: scan['Actual Rows'] * scan['Actual Loops'] });
  }
  runs.sort((a, b) => a.executionMs - b.executionMs);
  return { executionMs: roundMs(runs[1].executionMs), rowsRead: runs[1].rowsRead };
}

/** How many messages each thread holds at a total of `total`: one big thread, the rest spread evenly (and only ever growing). */
function messageCounts(total: number, threads: number, bigShare: number): number[] {
  const big = Math.round(total * bigShare);
  const rest = total - big;
  const others = threads - 1;
  return [big, ...Array.from({ length: others }, (_, j) => Math.max(0, Math.ceil((rest - j) / others)))];
}

/**
 * Scenario 4: the same reads over a history of growing size — 10k threads, one user in 1,000 of them, one big
 * thread — on a database of its own, loaded with bulk SQL between measurements.
 */
export async function runScale(ctx: BenchContext, serverUrl: string | undefined, passwordHash: string, password: string): Promise<ScaleResult> {
  const plan = ctx.plan.scale;
  const db = ctx.trackDatabase(await createDatabase(serverUrl));
  const worker = ctx.track(ChildWorker.start<HttpCommand>('scale-load', ctx.script('workers/http-worker.js')));
  try {
    // The server creates the schema (its migrations) on the empty database.
    await ctx.release(await ctx.startParley(db, 'parley (scale, migrating)'));

    let sql = await db.openSql();
    const othersCount = plan.threads - plan.busyUserThreads;
    const spread = Math.ceil(othersCount / 3000);
    const [busy] = await insertUsers(sql, 'bench_busy', 1, passwordHash);
    const contacts = await insertUsers(sql, 'bench_contact', Math.max(plan.busyUserThreads, 3000 + spread + 1), passwordHash);
    const busyThreads = await insertDirectThreads(
      sql,
      contacts.slice(0, plan.busyUserThreads).map((contact) => [busy.id, contact.id]),
    );
    // Direct threads among the contacts: (x, x+1+k) is a distinct pair for every n = k*3000 + x.
    const otherThreads = await insertDirectThreads(
      sql,
      Array.from({ length: othersCount }, (_, n): [number, number] => [contacts[n % 3000].id, contacts[(n % 3000) + 1 + Math.floor(n / 3000)].id]),
    );
    const allThreads = [...busyThreads, ...otherThreads];
    const bigThread = busyThreads[0];
    const current = allThreads.map(() => 0);
    await sql.close();

    const sizes: ScaleSize[] = [];
    for (const total of plan.sizes) {
      sql = await db.openSql();
      const loadStarted = Date.now();
      const target = messageCounts(total, allThreads.length, plan.bigThreadShare);
      await appendDirectMessages(
        sql,
        allThreads,
        target.map((n, i) => n - current[i]),
        new Date(),
      );
      target.forEach((n, i) => (current[i] = n));
      await settleReadMarkers(sql, null, 3);
      await analyze(sql);
      const loadSeconds = Math.round((Date.now() - loadStarted) / 100) / 10;
      const [check] = await sql.query<{ messages: number; threads: number; unread: number }>(
        `SELECT (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM threads) AS threads,
                (SELECT COALESCE(sum(t.last_seq - p.last_read_seq - p.own_after_marker), 0)::int FROM participants p JOIN threads t ON t.id = p.thread_id WHERE p.user_id = $1) AS unread`,
        [busy.id],
      );
      if (check.messages !== total) throw new Error(`loaded ${check.messages} messages, expected ${total}`);
      const bigCount = target[0];
      const deepOffset = Math.round(total * plan.deepShare);
      const columns = 'm.id, m.thread_id, m.seq, m.sender_id, m.text, m.client_message_id, m.created_at';
      const deepPagePlans: DeepPagePlans = {
        naiveOffset: await explain(sql, `SELECT ${columns} FROM messages m WHERE m.thread_id = ${bigThread} ORDER BY m.seq LIMIT 50 OFFSET ${deepOffset}`),
        seqRange: await explain(sql, `SELECT ${columns} FROM messages m WHERE m.thread_id = ${bigThread} AND m.seq > ${deepOffset} ORDER BY m.seq LIMIT 50`),
      };
      await sql.close();
      ctx.log(`scale: ${total} messages loaded in ${loadSeconds} s; measuring`);

      const server = await ctx.startParley(db, `parley (scale ${total})`);
      try {
        const signIn = await fetch(`${server.baseUrl}/api/token/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: busy.username, password }),
        });
        if (!signIn.ok) throw new Error(`sign-in of ${busy.username} answered ${signIn.status}`);
        const authorization = `Bearer ${((await signIn.json()) as { access: string }).access}`;
        const history = `/api/v1/threads/${bigThread}/messages/?limit=50`;
        const requests: { name: string; request: string; path: string }[] = [
          { name: 'unread counts (user in 1,000 threads)', request: 'GET /api/v1/unread_count/', path: '/api/v1/unread_count/' },
          { name: 'threads list, first page', request: 'GET /api/v1/threads/', path: '/api/v1/threads/' },
          { name: 'biggest thread, first page', request: 'GET …/messages/?limit=50', path: history },
          { name: 'biggest thread, newest page', request: `…&beforeSeq=${bigCount + 1}`, path: `${history}&beforeSeq=${bigCount + 1}` },
          {
            name: `biggest thread, ${deepOffset.toLocaleString('en')} deep, by beforeSeq`,
            request: `…&beforeSeq=${deepOffset + 51}`,
            path: `${history}&beforeSeq=${deepOffset + 51}`,
          },
          {
            name: `biggest thread, ${deepOffset.toLocaleString('en')} deep, by offset`,
            request: `…&offset=${deepOffset}`,
            path: `${history}&offset=${deepOffset}`,
          },
          // The seeded texts carry "dinner" in 1% of the messages and "lunch" in 20% (seed.ts).
          { name: SEARCH_RARE, request: 'GET /api/v1/messages/search/?q=dinner', path: '/api/v1/messages/search/?q=dinner' },
          { name: SEARCH_COMMON, request: 'GET /api/v1/messages/search/?q=lunch', path: '/api/v1/messages/search/?q=lunch' },
        ];
        const endpoints: ScaleEndpoint[] = [];
        for (const request of requests) {
          const target: HttpTarget = { method: 'GET', path: request.path, authorization };
          const sample = await worker.request<SampleResult>({ type: 'sample', baseUrl: server.baseUrl, target, warmup: plan.warmup, count: plan.samples });
          if (Object.keys(sample.statuses).some((status) => status !== '200')) throw new Error(`${request.path} answered ${JSON.stringify(sample.statuses)}`);
          endpoints.push({ ...request, latency: roundDistribution(distribution(sample.latencies)), statuses: sample.statuses, bytes: sample.bytes });
        }
        ctx.log(`scale ${total}: ${endpoints.map((e) => `${e.name} p99 ${e.latency.p99} ms`).join('; ')}`);
        sizes.push({
          messages: total,
          threads: check.threads,
          bigThreadMessages: bigCount,
          deepOffset,
          loadSeconds,
          busyUserUnread: check.unread,
          endpoints: endpoints.map(({ name, request, latency, statuses, bytes }) => ({ name, request, latency, statuses, bytes })),
          deepPagePlans,
        });
      } finally {
        await ctx.release(server);
      }
    }
    return { threads: plan.threads, busyUserThreads: plan.busyUserThreads, samples: plan.samples, note: plan.note, sizes };
  } finally {
    await ctx.release(worker);
    await ctx.dropDatabase(db);
  }
}
