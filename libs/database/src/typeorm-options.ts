import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface ConnectionSettings {
  url: string;
  poolSize: number;
  migrationsRun: boolean;
  /** How long a query may wait for a free pooled connection (default 5 s: fail fast when the database is down). */
  connectionWaitMs?: number;
}

/** One set of options for PostgreSQL and the embedded database: same SQL, same migrations, never synchronize. */
export function buildDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectionWaitMs ?? 5000,
    },
  };
}
