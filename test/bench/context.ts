import { join } from 'node:path';
import type { BenchDatabase } from './database.js';
import type { BenchPlan } from './plan.js';
import { ServerProcess } from './server-process.js';
import type { TokenMinter } from './tokens.js';
import { RATE_LIMITS_OFF } from '../support/rate-limits-off.js';

/** Everything the scenarios share: the plan, where the compiled scripts are, the server settings, cleanup. */
export class BenchContext {
  private readonly running = new Set<{ stop(): Promise<void> }>();
  private readonly databases = new Set<BenchDatabase>();
  private readonly startedAt = Date.now();

  constructor(
    readonly plan: BenchPlan,
    /** dist/test/bench: the compiled bench, with workers/ beside it. */
    readonly benchDir: string,
    /** dist/apps/api/src/main.js */
    readonly serverScript: string,
    readonly jwtSecret: string,
    readonly accessTtlSeconds: number,
    readonly minter: TokenMinter,
    readonly nodeArgs: string[],
    private readonly profileDir: string,
  ) {}

  script(relative: string): string {
    return join(this.benchDir, relative);
  }

  log(line: string): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[bench ${seconds}s] ${line}\n`);
  }

  /** Keeps a server or worker to be stopped if the run fails half-way. */
  track<T extends { stop(): Promise<void> }>(thing: T): T {
    this.running.add(thing);
    return thing;
  }

  async release(thing: { stop(): Promise<void> }): Promise<void> {
    this.running.delete(thing);
    await thing.stop();
  }

  /** A database to drop if the run fails half-way (after its servers stopped). */
  trackDatabase(db: BenchDatabase): BenchDatabase {
    this.databases.add(db);
    return db;
  }

  async dropDatabase(db: BenchDatabase): Promise<void> {
    this.databases.delete(db);
    await db.drop();
  }

  /** Servers and load processes first, then the databases they used. */
  async stopEverything(): Promise<void> {
    const things = [...this.running];
    this.running.clear();
    await Promise.allSettled(things.map((thing) => thing.stop()));
    const databases = [...this.databases];
    this.databases.clear();
    await Promise.allSettled(databases.map((db) => db.drop()));
  }

  /** Parley as it runs in production, on `db`: built sources, NODE_ENV=production, warnings only in the log. */
  async startParley(db: BenchDatabase, label: string): Promise<ServerProcess> {
    const server = await ServerProcess.start({
      label,
      script: this.serverScript,
      readiness: 'health',
      nodeArgs: this.nodeArgs,
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        JWT_SECRET: this.jwtSecret,
        JWT_ACCESS_TTL: String(this.accessTtlSeconds),
        ADMIN_SESSION_SECRET: `${this.jwtSecret}-admin`,
        // The admin panel is not measured: serve no bundle rather than build one at every start.
        ADMIN_JS_SKIP_BUNDLE: 'true',
        // Throughput is measured, not abuse protection: a few users send far more than a person's 20 per second.
        ...RATE_LIMITS_OFF,
        ...(this.nodeArgs.length > 0 ? { BENCH_PROFILE_DIR: this.profileDir } : {}),
        ...db.serverEnv,
      },
    });
    return this.track(server);
  }
}
