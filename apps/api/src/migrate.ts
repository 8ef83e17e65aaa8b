import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../libs/config/src/index.js';
import { EmbeddedPostgres } from '../../../libs/database/src/embedded-postgres.js';
import { buildDataSourceOptions } from '../../../libs/database/src/typeorm-options.js';
import { ENTITIES } from './entities.js';

/** `migrate.js run|revert` against the configured database (embedded when DATABASE_URL is unset). */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'revert') throw new Error('usage: migrate.js run|revert');
  const { database } = loadConfig();
  const embedded = database.kind === 'embedded' ? await EmbeddedPostgres.start(database.dataDir, 2) : null;
  const url = database.kind === 'postgres' ? database.url : (embedded as EmbeddedPostgres).url;
  const dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 1, migrationsRun: false, entities: ENTITIES }));
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'schema is up to date\n');
    } else {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
