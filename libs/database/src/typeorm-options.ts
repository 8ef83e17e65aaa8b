import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface ConnectionSettings {
  url: string;
  poolSize: number;
  migrationsRun: boolean;
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
      // Fail fast when the database is down instead of queueing requests forever.
      connectionTimeoutMillis: 5000,
    },
  };
}
