import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configurationVariables, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('uses the embedded database and documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'embedded', dataDir: './data', migrationsRun: true });
    expect(config.jwt.accessTtlSeconds).toBe(900);
    expect(config.jwt.refreshTtlSeconds).toBe(604_800);
    expect(config.jwt.secretIsEphemeral).toBe(true);
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', MIGRATIONS_RUN: 'false' });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
      poolSize: 10,
      migrationsRun: false,
      connectTimeoutMs: 3000,
      queryTimeoutMs: 5000,
    });
  });

  it('reads the database timeouts, and refuses ones that are not whole milliseconds in range', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', DB_CONNECT_TIMEOUT_MS: '1500', DB_QUERY_TIMEOUT_MS: '0' });
    expect(config.database).toMatchObject({ connectTimeoutMs: 1500, queryTimeoutMs: 0 });
    expect(() => loadConfig({ DB_CONNECT_TIMEOUT_MS: '0' })).toThrow(/DB_CONNECT_TIMEOUT_MS/);
    expect(() => loadConfig({ DB_QUERY_TIMEOUT_MS: '5s' })).toThrow(/DB_QUERY_TIMEOUT_MS/);
  });

  it('prefixes Redis channels and keys with "parley" unless told otherwise, and refuses a prefix with spaces or globs', () => {
    expect(loadConfig({}).redisKeyPrefix).toBe('parley');
    expect(loadConfig({ REDIS_KEY_PREFIX: 'parley-staging' }).redisKeyPrefix).toBe('parley-staging');
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'my app' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'parley*' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => loadConfig({ REDIS_KEY_PREFIX: '' })).toThrow(/REDIS_KEY_PREFIX/);
  });

  it("is documented in the README's configuration table: every variable, with its default, and no other", () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Configuration');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = new Map([...section.matchAll(/^\| `([A-Z_]+)` \| ([^|]*) \|/gm)].map((match) => [match[1], (match[2] ?? '').trim()]));
    const variables = configurationVariables();
    expect([...rows.keys()].sort()).toEqual(variables.map((variable) => variable.name).sort());
    for (const { name, defaultValue } of variables) {
      if (defaultValue) expect({ name, documented: rows.get(name) }).toEqual({ name, documented: expect.stringContaining(`\`${defaultValue}\``) });
    }
  });

  it('reports every wrong value in one error', () => {
    let thrown: unknown;
    try {
      loadConfig({ PORT: 'eighty', MIGRATIONS_RUN: 'maybe', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/MIGRATIONS_RUN/);
    expect(problems).toMatch(/DATABASE_URL/);
  });

  it('reads the presence timings, and refuses a TTL that a single late heartbeat would outlast', () => {
    expect(loadConfig({ PRESENCE_HEARTBEAT_MS: '200', PRESENCE_TTL_MS: '1000', PRESENCE_FLUSH_MS: '20' }).presence).toEqual({
      heartbeatMs: 200,
      ttlMs: 1000,
      flushMs: 20,
    });
    expect(loadConfig({}).presence).toEqual({ heartbeatMs: 5000, ttlMs: 15_000, flushMs: 100 });
    expect(() => loadConfig({ PRESENCE_HEARTBEAT_MS: '5000', PRESENCE_TTL_MS: '5000' })).toThrow(/PRESENCE_TTL_MS: must be longer than PRESENCE_HEARTBEAT_MS/);
  });

  it('refuses to start in production without a JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'too-short' })).toThrow(/at least 32/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_SESSION_SECRET: 'y'.repeat(40) });
    expect(config.isProduction).toBe(true);
    expect(config.jwt.secretIsEphemeral).toBe(false);
  });

  it('refuses to start in production without a secret for the admin session cookie', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/ADMIN_SESSION_SECRET: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_SESSION_SECRET: 'short' })).toThrow(
      /ADMIN_SESSION_SECRET must be at least 32/,
    );
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_SESSION_SECRET: 'y'.repeat(40) });
    expect(config.adminSession).toEqual({ secret: 'y'.repeat(40), secretIsEphemeral: false });
  });

  it('uses a random admin session secret per process outside production', () => {
    const first = loadConfig({});
    expect(first.adminSession.secretIsEphemeral).toBe(true);
    expect(first.adminSession.secret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).adminSession.secret).not.toBe(first.adminSession.secret);
  });
});
