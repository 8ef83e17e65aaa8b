import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { RATE_LIMITS_OFF, SEND_REFUSALS_OFF } from './rate-limits-off.js';

export { freePort } from './ports.js';

/**
 * Parley as a real server process (`node dist/apps/api/src/main.js`), for tests that kill it, watch it survive an
 * outage, or read its log: things a server inside the jest process cannot show (jest keeps its process alive
 * whatever happens, and pino writes to the file descriptor directly).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const SEED = join(ROOT, 'dist', 'apps', 'api', 'src', 'seed.js');
const MIGRATE = join(ROOT, 'dist', 'apps', 'api', 'src', 'migrate.js');
const BUILD_LOCK = join(ROOT, 'test-output', 'build.lock');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, output }));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the server into dist/ (incrementally: quick when nothing changed). Suites in parallel jest workers take
 * turns through a lock folder, so that no server starts from a file another build is rewriting.
 */
export async function buildServer(): Promise<void> {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(BUILD_LOCK, 'pid'), 'utf8'));
      } catch {
        // Just created, the pid not written yet: wait.
      }
      // A lock left behind by a build that died (the worker was killed) is taken over.
      if (Number.isInteger(owner) && !isAlive(owner)) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else await delay(250);
    }
  }
  try {
    writeFileSync(join(BUILD_LOCK, 'pid'), String(process.pid));
    const { code, output } = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
    if (code !== 0) throw new Error(`the build failed (tsc exit ${code}):\n${output}`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** A database of its own on the PostgreSQL server of DATABASE_URL, as the in-process test app makes one. */
export interface ServerDatabase {
  url: string;
  query: <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  drop: () => Promise<void>;
}

/** Runs one statement (CREATE/DROP DATABASE) on the server's maintenance database `postgres`. */
export async function onMaintenanceDatabase(serverUrl: string, sql: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createServerDatabase(serverUrl: string): Promise<ServerDatabase> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  await onMaintenanceDatabase(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async query<T>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    drop: () => onMaintenanceDatabase(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The environment every server process of a test gets, on top of what the test sets. */
export function serverEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_JS_SKIP_BUNDLE: 'true',
    ...RATE_LIMITS_OFF,
    ...SEND_REFUSALS_OFF,
    ...overrides,
  };
  return env;
}

/** Loads the demo data (users `davidjones`, `jamessmith`, … with password `password`) through the built seed. */
export async function seedDemoData(env: NodeJS.ProcessEnv): Promise<void> {
  const { code, output } = await run(process.execPath, [SEED], env);
  if (code !== 0) throw new Error(`the seed failed (exit ${code}):\n${output}`);
}

/** Applies the migrations (the schema without data), through the built migration command. */
export async function migrateDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  const { code, output } = await run(process.execPath, [MIGRATE, 'run'], env);
  if (code !== 0) throw new Error(`the migrations failed (exit ${code}):\n${output}`);
}

/** One line of the server's JSON log (pino). */
export interface LogLine {
  level: number;
  msg: string;
  context?: string;
  [key: string]: unknown;
}

export const LOG_LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

export class ServerProcess {
  /** Every JSON log line so far, and any other output (stack traces written by Node itself) as plain text. */
  readonly logs: LogLine[] = [];
  readonly otherOutput: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    this.exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.record(line);
      });
    }
    void this.exited.then(() => this.wake());
  }

  /** Starts `node dist/apps/api/src/main.js` with `env` (PORT included) and waits until /health/ready answers 200. */
  static async start(env: NodeJS.ProcessEnv, options: { readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
    const port = env.PORT;
    if (!port) throw new Error('PORT is required: clients must find the server again after a restart');
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`);
    try {
      await server.waitUntilReady(options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      await server.kill('SIGKILL');
      throw error;
    }
    return server;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls /health/ready (there is no event to wait for from outside the process). */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the server exited before it was ready:\n${this.outputTail()}`);
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) });
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await delay(200);
    }
    throw new Error(`the server was not ready within ${timeoutMs} ms (${last}):\n${this.outputTail()}`);
  }

  /** The first log line matching `predicate`, waiting for it up to `timeoutMs`. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 30_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.slice(from).find(predicate);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || !this.running) throw new Error(`no matching log line within ${timeoutMs} ms; the log:\n${this.outputTail()}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), SIGKILL if that takes longer than 20 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines of the output, each cut to 400 characters (request logs are long). */
  outputTail(lines = 40): string {
    const all = [...this.logs.map((line) => JSON.stringify(line)), ...this.otherOutput];
    return all
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
  }

  private record(line: string): void {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (typeof parsed === 'object' && parsed !== null && typeof parsed.level === 'number') this.logs.push(parsed);
      else this.otherOutput.push(line);
    } catch {
      this.otherOutput.push(line);
    }
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }
}

/** Signs in over HTTP and returns the access token. */
export async function signIn(baseUrl: string, username: string, password = 'password'): Promise<string> {
  const response = await fetch(`${baseUrl}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`signing in as ${username} answered ${response.status}`);
  return ((await response.json()) as { access: string }).access;
}
