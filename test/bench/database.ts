import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Plain SQL on the bench's database, for bulk loading and inspection. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A database of the bench's own, fresh for the run and removed afterwards: a randomly named database on the
 * PostgreSQL server of DATABASE_URL, or a temporary folder for the embedded PostgreSQL (PGlite).
 */
export interface BenchDatabase {
  readonly kind: 'postgres' | 'embedded';
  /** What the server under test gets: DATABASE_URL or DATA_DIR. */
  readonly serverEnv: Record<string, string>;
  /** Where it is, for the report (no credentials). */
  readonly description: string;
  /**
   * SQL access. On PostgreSQL any time; the embedded database is a folder that one process opens at a time, so
   * only while no server is running on it.
   */
  openSql(): Promise<Sql>;
  /** The PostgreSQL backend processes connected to this database now (none for the embedded one: it is in-process). */
  backendPids?: () => Promise<number[]>;
  drop(): Promise<void>;
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string | undefined): Promise<BenchDatabase> {
  if (serverUrl) {
    const name = `parley_bench_${randomBytes(5).toString('hex')}`;
    await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      kind: 'postgres',
      serverEnv: { DATABASE_URL: url.toString() },
      description: `database ${name} on ${url.host}`,
      async openSql() {
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        return {
          async query<T>(text: string, params?: unknown[]) {
            return (await client.query(text, params)).rows as T[];
          },
          close: () => client.end(),
        };
      },
      async backendPids() {
        const result = await withAdminClient(serverUrl, (client) =>
          client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]),
        );
        return result.rows.map((row) => row.pid);
      },
      async drop() {
        await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
  return {
    kind: 'embedded',
    serverEnv: { DATA_DIR: dataDir },
    description: `embedded PostgreSQL (PGlite) in ${dataDir}`,
    async openSql() {
      const db = await PGlite.create(dataDir);
      return {
        async query<T>(text: string, params?: unknown[]) {
          return (await db.query<T>(text, params)).rows;
        },
        close: () => db.close(),
      };
    },
    async drop() {
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
