import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

export interface ConnectionSettings {
  url: string;
  poolSize: number;
  migrationsRun: boolean;
  /** How long a query may wait for a connection, new or free in the pool (default 3 s: fail fast when the database is down). */
  connectionWaitMs?: number;
  /** Longest a single query may run; unset or 0 means no limit (migrations, tooling). */
  queryTimeoutMs?: number;
  /**
   * The entities to map. None for the application, whose modules register their own (TypeOrmModule.forFeature, with
   * autoLoadEntities); the migration tooling passes the composition root's full list (apps/api/src/entities.ts).
   */
  entities?: DataSourceOptions['entities'];
}

// The client gives up a little after the server would have cancelled the statement itself, so that a slow query is
// cancelled cleanly by PostgreSQL (the connection stays usable) and only a silent network trips the client's limit.
const CLIENT_TIMEOUT_MARGIN_MS = 1000;

/** One set of options for PostgreSQL and the embedded database: same SQL, same migrations, never synchronize. */
export function buildDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const queryTimeoutMs = settings.queryTimeoutMs ?? 0;
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities ?? [],
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    // pg's Pool options. Without limits a request waits forever for a database that is gone: for a connection when
    // it refuses or drops packets, for an answer when a connection goes silent.
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectionWaitMs ?? 3000,
      keepAlive: true,
      ...(queryTimeoutMs > 0 ? { statement_timeout: queryTimeoutMs, query_timeout: queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS } : {}),
    },
  };
}
