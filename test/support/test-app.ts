import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app.js';
import { loadConfig } from '../../libs/config/src/index.js';
import { RATE_LIMITS_OFF, SEND_REFUSALS_OFF } from './rate-limits-off.js';
import { onMaintenanceDatabase } from './server-process.js';
import { UsersService } from '../../libs/users/src/index.js';

/**
 * A real Parley server on a loopback port, on a database of its own: a fresh database on the PostgreSQL server
 * when DATABASE_URL is set (dropped afterwards), the embedded PostgreSQL in memory otherwise.
 */
type TestAgent = ReturnType<typeof request>;

export interface TestApp {
  app: NestExpressApplication;
  baseUrl: string;
  databaseUrl: string | undefined;
  http: () => TestAgent;
  createUser: (username: string, options?: { password?: string; isStaff?: boolean; displayName?: string }) => Promise<TestUser>;
  /** A thread created over HTTP by `owner`: direct with one other user, a group with more (untitled unless a title is given) or with a title. */
  createThread: (owner: TestUser, others: TestUser[], title?: string) => Promise<number>;
  close: () => Promise<void>;
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
  /** An Authorization header value. */
  auth: string;
}

export interface TestAppOptions {
  /** Another app's database: a second instance (scale-out tests) that leaves the database to its owner. */
  databaseUrl?: string;
  /** A fixed port, so that a restarted server is found again by its clients. */
  port?: number;
  /** The embedded database even when DATABASE_URL is set (with DATA_DIR in `env`, it survives a restart). */
  embedded?: boolean;
  /** Where the server's log lines go instead of stdout (a test reads them back). */
  logDestination?: DestinationStream;
}

export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const serverUrl = options.databaseUrl || options.embedded ? undefined : process.env.DATABASE_URL;
  let databaseUrl: string | undefined = options.databaseUrl;
  let databaseName: string | undefined;
  if (serverUrl) {
    databaseName = `parley_test_${randomBytes(6).toString('hex')}`;
    await onMaintenanceDatabase(serverUrl, `CREATE DATABASE ${databaseName}`);
    const url = new URL(serverUrl);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: 'memory://',
    ...RATE_LIMITS_OFF,
    ...SEND_REFUSALS_OFF,
    // Suites run in parallel on one Redis: each app gets channels and keys of its own (instances that must see each
    // other pass the same prefix).
    REDIS_KEY_PREFIX: `parley-test-${randomBytes(6).toString('hex')}`,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const app = await createApp(config, { logDestination: options.logDestination });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const http = (): TestAgent => request(baseUrl);

  return {
    app,
    baseUrl,
    databaseUrl,
    http,
    async createUser(username, options = {}) {
      const password = options.password ?? 'password';
      const user = await app.get(UsersService).createUser({
        username,
        displayName: options.displayName ?? username,
        email: `${username}@example.test`,
        password,
        isStaff: options.isStaff ?? false,
      });
      const response = await http().post('/api/token/').send({ username, password }).expect(200);
      const token = (response.body as { access: string }).access;
      return { id: user.id, username: user.username, password, token, auth: `Bearer ${token}` };
    },
    async createThread(owner, others, title) {
      const res = await http()
        .post('/api/v1/threads/')
        .set('Authorization', owner.auth)
        .send({ participants: others.map((user) => user.id), ...(title ? { title, type: 'group' } : {}) })
        .expect((response) => {
          if (response.status !== 200 && response.status !== 201) throw new Error(`creating a thread answered ${response.status}`);
        });
      return (res.body as { id: number }).id;
    },
    async close() {
      await app.close();
      if (serverUrl && databaseName) await onMaintenanceDatabase(serverUrl, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    },
  };
}

/**
 * The environment instances of one deployment share: they accept each other's tokens and share Redis (`REDIS_URL`)
 * channels under a prefix of their own, so other suites on the same Redis see nothing of them. `env` is added.
 */
export function deploymentEnv(label: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: process.env.REDIS_URL as string,
    REDIS_KEY_PREFIX: `parley-${label}-${randomBytes(8).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...env,
  };
}

/** Two instances of one deployment (deploymentEnv) on one PostgreSQL database, the server's in `DATABASE_URL`. */
export async function startTwoInstances(shared: Record<string, string>): Promise<[TestApp, TestApp]> {
  const a = await startTestApp(shared);
  try {
    return [a, await startTestApp(shared, { databaseUrl: a.databaseUrl as string })];
  } catch (error) {
    await a.close();
    throw error;
  }
}
