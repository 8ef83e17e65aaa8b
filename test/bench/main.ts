import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import * as prettier from 'prettier';
import { PasswordHasher } from '../../libs/users/src/password-hasher.js';
import { BenchContext } from './context.js';
import { createDatabase, type BenchDatabase } from './database.js';
import { currentLoadAverage, machineInfo } from './machine.js';
import { makePlan } from './plan.js';
import { checkTargets, renderLatencySvg, renderMarkdown, type BenchResults } from './report.js';
import { runConnections } from './scenarios/connections.js';
import { runDelivery, type DeliveryThread } from './scenarios/delivery.js';
import { runFanout } from './scenarios/fanout.js';
import { runRest, type RestUser } from './scenarios/rest.js';
import { runScale } from './scenarios/scale.js';
import { appendDirectMessages, insertDirectThreads, insertGroupThread, insertUsers, settleReadMarkers, type SeededUser } from './seed.js';
import { TokenMinter } from './tokens.js';

/**
 * `npm run bench` (full) and `npm run bench -- --quick` (the CI smoke run). Options: `--only=delivery,fanout,rest,scale,connections`
 * runs some scenarios; `--profile` samples the CPU of every Parley process (.cpuprofile files in bench-results/profiles).
 */
const SCENARIOS = ['delivery', 'fanout', 'rest', 'scale', 'connections'] as const;
type Scenario = (typeof SCENARIOS)[number];
const BENCH_PASSWORD = 'bench-password';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((arg) => arg.startsWith('--only='));
const selected = new Set<Scenario>(onlyArg ? (onlyArg.slice('--only='.length).split(',') as Scenario[]) : SCENARIOS);
for (const name of selected) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}; choose from ${SCENARIOS.join(', ')}`);
const unknown = args.filter((arg) => arg !== '--quick' && arg !== '--profile' && !arg.startsWith('--only='));
if (unknown.length > 0) throw new Error(`unknown options ${unknown.join(' ')}; use --quick, --only=…, --profile`);

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '../../..');
const serverUrl = process.env.DATABASE_URL || undefined;
const databaseKind = serverUrl ? 'postgres' : 'embedded';
const plan = makePlan(quick, databaseKind);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(root, 'bench-results', `${stamp}-${quick ? 'quick' : 'full'}-${databaseKind}`);
const profileDir = join(root, 'bench-results', 'profiles');
const nodeArgs = args.includes('--profile') ? ['--import', join(benchDir, 'profile-preload.js')] : [];

const jwtSecret = randomBytes(32).toString('hex');
const accessTtlSeconds = 86_400;
const ctx = new BenchContext(
  plan,
  benchDir,
  join(root, 'dist/apps/api/src/main.js'),
  jwtSecret,
  accessTtlSeconds,
  new TokenMinter(jwtSecret, accessTtlSeconds),
  nodeArgs,
  profileDir,
);

async function databaseVersion(): Promise<string> {
  if (serverUrl) {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v.split(' ')[0] ?? 'unknown';
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create();
  try {
    return `${(await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? 'unknown'} (PGlite)`;
  } finally {
    await db.close();
  }
}

interface MainData {
  chat: DeliveryThread[];
  group: { threadId: number; members: SeededUser[] };
  rest: { users: SeededUser[]; threadIds: number[][] };
  idle: SeededUser[];
}

/** Users, threads and history for scenarios 1, 2, 3 and 5, loaded with bulk SQL. */
async function seedMainDatabase(db: BenchDatabase, passwordHash: string): Promise<MainData> {
  const sql = await db.openSql();
  try {
    const { delivery, fanout, rest, connections } = plan;
    // Delivery: a few users, one direct thread between every two of them.
    const chatUsers = await insertUsers(sql, 'bench_chat', delivery.users, passwordHash);
    const chatPairs = chatUsers.flatMap((a, i) => chatUsers.slice(i + 1).map((b): [SeededUser, SeededUser] => [a, b]));
    const chatThreads = await insertDirectThreads(
      sql,
      chatPairs.map(([a, b]) => [a.id, b.id]),
    );
    const members = await insertUsers(sql, 'bench_member', fanout.members, passwordHash);
    const groupId = await insertGroupThread(
      sql,
      `Fan-out to ${fanout.members}`,
      members[0].id,
      members.map((member) => member.id),
    );
    // REST users: each in direct threads with members of the group, with some history.
    const restUsers = await insertUsers(sql, 'bench_rest', rest.users, passwordHash);
    const restPairs = restUsers.flatMap((user, i) =>
      Array.from({ length: rest.threadsPerUser }, (_, j): [number, number] => [user.id, members[(i * rest.threadsPerUser + j) % members.length].id]),
    );
    const restThreads = await insertDirectThreads(sql, restPairs);
    await appendDirectMessages(
      sql,
      restThreads,
      restThreads.map(() => rest.messagesPerThread),
      new Date(),
    );
    await settleReadMarkers(sql, restThreads, 3);
    const idle = await insertUsers(sql, 'bench_idle', selected.has('connections') ? connections.sockets : 0, passwordHash);
    await sql.query('VACUUM ANALYZE');
    return {
      chat: chatPairs.map((users, i) => ({ threadId: chatThreads[i], users })),
      group: { threadId: groupId, members },
      rest: {
        users: restUsers,
        threadIds: restUsers.map((_, i) => restThreads.slice(i * rest.threadsPerUser, (i + 1) * rest.threadsPerUser)),
      },
      idle,
    };
  } finally {
    await sql.close();
  }
}

async function signIn(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in of ${username} answered ${response.status}`);
  return ((await response.json()) as { access: string }).access;
}

async function main(): Promise<number> {
  const machine = machineInfo();
  const started = Date.now();
  const failures: BenchResults['failures'] = [];
  const partial: Omit<BenchResults, 'targets'> = {
    kind: quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    machine,
    database: {
      kind: databaseKind,
      version: await databaseVersion(),
      where: serverUrl ? `fresh databases on ${new URL(serverUrl).host}` : 'temporary folders',
    },
    tokens:
      "The REST and scale users sign in with `POST /api/token/`; the thousands of socket users get access tokens signed with the server's `JWT_SECRET` " +
      'with the claims and algorithm of `AuthService` (HS256, `sub`, `username`, `staff`, `typ: "access"`), since thousands of scrypt sign-ins would take minutes.',
    plan,
    failures,
  };
  ctx.log(`${partial.kind} run on ${databaseKind} ${partial.database.version}; ${machine.cores} × ${machine.cpuModel}; scenarios: ${[...selected].join(', ')}`);

  const attempt = async <T>(scenario: Scenario, run: () => Promise<T>): Promise<T | undefined> => {
    if (!selected.has(scenario)) return undefined;
    ctx.log(`== ${scenario}`);
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      ctx.log(`${scenario} failed: ${message}`);
      failures.push({ scenario, error: message });
      return undefined;
    }
  };

  const passwordHash = await new PasswordHasher().hash(BENCH_PASSWORD);
  const needsMain = ['delivery', 'fanout', 'rest', 'connections'].some((s) => selected.has(s as Scenario));
  if (needsMain) {
    const db = ctx.trackDatabase(await createDatabase(serverUrl));
    try {
      ctx.log(`main database: ${db.description}`);
      await ctx.release(await ctx.startParley(db, 'parley (migrating)'));
      const seedStarted = Date.now();
      const data = await seedMainDatabase(db, passwordHash);
      ctx.log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
      const server = await ctx.startParley(db, 'parley');
      try {
        partial.delivery = await attempt('delivery', () => runDelivery(ctx, server, db, data.chat));
        partial.fanout = await attempt('fanout', () => runFanout(ctx, server, db, data.group));
        partial.rest = await attempt('rest', async () => {
          const users: RestUser[] = [];
          for (const [i, user] of data.rest.users.entries())
            users.push({ token: await signIn(server.baseUrl, user.username), threadIds: data.rest.threadIds[i] });
          return runRest(ctx, server, db, users);
        });
      } finally {
        await ctx.release(server);
      }
      partial.connections = await attempt('connections', () => runConnections(ctx, db, data.idle));
    } finally {
      await ctx.dropDatabase(db);
    }
  }
  partial.scale = await attempt('scale', () => runScale(ctx, serverUrl, passwordHash, BENCH_PASSWORD));

  partial.finishedAt = new Date().toISOString();
  partial.durationSeconds = Math.round((Date.now() - started) / 1000);
  machine.loadAverageAtEnd = currentLoadAverage();
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  await writeOutputs(results);
  return failures.length === 0 ? 0 : 1;
}

async function writeOutputs(results: BenchResults): Promise<void> {
  const markdown = renderMarkdown(results);
  const svg = renderLatencySvg(results.delivery, `Parley delivery latency vs offered rate (${results.kind} run, ${results.database.kind})`);
  const jsonPath = join(outDir, 'results.json');
  const json = await prettier.format(JSON.stringify(results), { ...(await prettier.resolveConfig(join(root, 'package.json'))), parser: 'json' });
  const targets = [outDir, ...(results.kind === 'full' && selected.size === SCENARIOS.length ? [join(root, 'docs', 'bench')] : [])];
  for (const dir of targets) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'results.md'), markdown);
    writeFileSync(join(dir, 'results.json'), json);
    writeFileSync(join(dir, 'latency.svg'), svg);
  }
  process.stdout.write(markdown);
  ctx.log(`results written to ${targets.join(' and ')} (${jsonPath})`);
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  ctx.log('interrupted: stopping servers and load processes');
  void ctx.stopEverything().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await ctx.stopEverything();
    process.exit(1);
  },
);
