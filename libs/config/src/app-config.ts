import { randomBytes } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

/** The environment as it is read once at start. Every variable is documented in the README's table. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_CONNECT_TIMEOUT_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_QUERY_TIMEOUT_MS = 5000;

  @Transform(toBool)
  @IsBoolean({ message: 'MIGRATIONS_RUN must be true or false' })
  MIGRATIONS_RUN = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  JWT_ACCESS_TTL = 900;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_REFRESH_TTL = 604_800;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  SESSION_TTL = 604_800;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'ADMIN_SESSION_SECRET must be at least 32 characters' })
  ADMIN_SESSION_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  // Several deployments (or test runs) may share one Redis: each needs its own channels and keys.
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1 to 64 letters, digits or _ . : -' })
  REDIS_KEY_PREFIX = 'parley';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  @IsString()
  CORS_ORIGINS = '';

  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F.:/, ]+)$/, {
    message: 'TRUST_PROXY must be true, false, a number of proxy hops, or addresses/subnets separated by commas',
  })
  TRUST_PROXY = 'false';

  // Rate limits; 0 turns one off. Counted in Redis when REDIS_URL is set, so they hold across instances.
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_SIGNIN_PER_USER = 10;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_SIGNIN_PER_ADDRESS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_MESSAGES_PER_SECOND = 20;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE = 30;

  // Backpressure on sending: past this wait (queue in front of the database, or event-loop delay) sends are refused.
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SEND_QUEUE_BUDGET_MS = 100;

  // Presence (`online`): how often an instance vouches for its connected users, how long that holds if it stops
  // without clearing them (a crash), and how long connects and disconnects gather before one write.
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PRESENCE_HEARTBEAT_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  PRESENCE_TTL_MS = 15_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  PRESENCE_FLUSH_MS = 100;
}

/** At most `limit` events per `windowMs` for one subject (a user, an address); limit 0 means unlimited. */
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimits {
  /** Sign-in attempts (token and web session) per username, and per client address. */
  readonly signInPerUser: RateLimitPolicy;
  readonly signInPerAddress: RateLimitPolicy;
  /** Messages sent per user, over REST and the socket together. */
  readonly messageSend: RateLimitPolicy;
  /** Socket connections opened per user. */
  readonly socketConnect: RateLimitPolicy;
}

export type LogLevelName = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Variables without a default: read only when set. */
const UNSET_BY_DEFAULT = ['DATABASE_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'ADMIN_SESSION_SECRET', 'REDIS_URL'];

/** Every variable Parley reads, with its default (undefined: unset unless given); the README's table lists each. */
export function configurationVariables(): { name: string; defaultValue: string | undefined }[] {
  const defaults = new EnvironmentVariables() as unknown as Record<string, unknown>;
  return [
    ...Object.keys(defaults).map((name) => ({ name, defaultValue: String(defaults[name]) })),
    ...UNSET_BY_DEFAULT.map((name) => ({ name, defaultValue: undefined })),
  ];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Typed, validated configuration. Injected by class; nothing else reads process.env. */
export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly database:
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolSize: number;
        readonly migrationsRun: boolean;
        /** How long a request waits for a connection (a new one, or a free one from the pool) before it fails with 503. */
        readonly connectTimeoutMs: number;
        /** How long one query may take (statement_timeout, and the client's own limit when no answer comes); 0: no limit. */
        readonly queryTimeoutMs: number;
      }
    | { readonly kind: 'embedded'; readonly dataDir: string; readonly migrationsRun: boolean };
  readonly jwt: { readonly secret: string; readonly accessTtlSeconds: number; readonly refreshTtlSeconds: number; readonly secretIsEphemeral: boolean };
  readonly sessionTtlSeconds: number;
  /** The demo staff account's password used by the seed; undefined means the demo default. */
  readonly adminPassword: string | undefined;
  /** Signs the admin panel's session cookie; random per process (sessions end with it) unless ADMIN_SESSION_SECRET is set. */
  readonly adminSession: { readonly secret: string; readonly secretIsEphemeral: boolean };
  readonly redisUrl: string | undefined;
  /** Starts every Redis channel and key of this deployment: instances that share it see each other, others do not. */
  readonly redisKeyPrefix: string;
  readonly logLevel: LogLevelName;
  readonly corsOrigins: string[];
  /** Express' `trust proxy`: which proxies' X-Forwarded-* headers to believe (client address, HTTPS). */
  readonly trustProxy: boolean | number | string;
  readonly rateLimits: RateLimits;
  /**
   * Sends wait in one queue in front of the database (group commit). When its oldest message has waited longer than
   * `budgetMs`, or the event loop runs that late, new sends are refused with `overloaded`; 0 never refuses.
   */
  readonly sendQueue: { readonly budgetMs: number };
  /**
   * Each instance writes its connected users to the database (batched every `flushMs`) and renews them every
   * `heartbeatMs`; rows of an instance that stopped without removing them stop counting `ttlMs` after its last renewal.
   */
  readonly presence: { readonly heartbeatMs: number; readonly ttlMs: number; readonly flushMs: number };

  constructor(values: Omit<AppConfig, 'isProduction'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

/** Reads and validates the environment, reporting every wrong value at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const { name } of configurationVariables()) {
    const value = env[name];
    if (value !== undefined) raw[name] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, raw);
  const problems = validateSync(vars).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message} (got ${JSON.stringify(raw[error.property] ?? null)})`),
  );
  const production = vars.NODE_ENV === 'production';
  if (production && !vars.JWT_SECRET) problems.push('JWT_SECRET: required when NODE_ENV=production (at least 32 random characters)');
  if (production && !vars.ADMIN_SESSION_SECRET) {
    problems.push('ADMIN_SESSION_SECRET: required when NODE_ENV=production (at least 32 random characters; signs the /admin session cookie)');
  }
  if (vars.PRESENCE_TTL_MS <= vars.PRESENCE_HEARTBEAT_MS) {
    problems.push('PRESENCE_TTL_MS: must be longer than PRESENCE_HEARTBEAT_MS (a few heartbeats: one late heartbeat must not take everyone offline)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const migrationsRun = vars.MIGRATIONS_RUN;
  return new AppConfig({
    nodeEnv: vars.NODE_ENV as AppConfig['nodeEnv'],
    port: vars.PORT,
    host: vars.HOST,
    database: vars.DATABASE_URL
      ? {
          kind: 'postgres',
          url: vars.DATABASE_URL,
          poolSize: vars.DB_POOL_SIZE,
          migrationsRun,
          connectTimeoutMs: vars.DB_CONNECT_TIMEOUT_MS,
          queryTimeoutMs: vars.DB_QUERY_TIMEOUT_MS,
        }
      : { kind: 'embedded', dataDir: vars.DATA_DIR, migrationsRun },
    jwt: {
      secret: vars.JWT_SECRET ?? randomBytes(32).toString('base64url'),
      secretIsEphemeral: !vars.JWT_SECRET,
      accessTtlSeconds: vars.JWT_ACCESS_TTL,
      refreshTtlSeconds: vars.JWT_REFRESH_TTL,
    },
    sessionTtlSeconds: vars.SESSION_TTL,
    adminPassword: vars.ADMIN_PASSWORD,
    adminSession: {
      secret: vars.ADMIN_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretIsEphemeral: !vars.ADMIN_SESSION_SECRET,
    },
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    logLevel: vars.LOG_LEVEL as LogLevelName,
    corsOrigins: vars.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    rateLimits: {
      signInPerUser: { limit: vars.RATE_LIMIT_SIGNIN_PER_USER, windowMs: 5 * 60_000 },
      signInPerAddress: { limit: vars.RATE_LIMIT_SIGNIN_PER_ADDRESS, windowMs: 60_000 },
      messageSend: { limit: vars.RATE_LIMIT_MESSAGES_PER_SECOND, windowMs: 1_000 },
      socketConnect: { limit: vars.RATE_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE, windowMs: 60_000 },
    },
    sendQueue: { budgetMs: vars.SEND_QUEUE_BUDGET_MS },
    presence: { heartbeatMs: vars.PRESENCE_HEARTBEAT_MS, ttlMs: vars.PRESENCE_TTL_MS, flushMs: vars.PRESENCE_FLUSH_MS },
    trustProxy:
      vars.TRUST_PROXY === 'true' ? true : vars.TRUST_PROXY === 'false' ? false : /^\d+$/.test(vars.TRUST_PROXY) ? Number(vars.TRUST_PROXY) : vars.TRUST_PROXY,
  });
}
