import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from '../../apps/api/src/entities.js';
import { EmbeddedPostgres } from '../../libs/database/src/embedded-postgres.js';
import { MIGRATIONS } from '../../libs/database/src/migrations/index.js';
import { buildDataSourceOptions } from '../../libs/database/src/typeorm-options.js';
import { createServerDatabase, type ServerDatabase } from '../support/server-process.js';

/**
 * The migrations are the schema (synchronize is off everywhere): applied in order they must build exactly what the
 * entities describe, and each must be reversible down to an empty database and back up again.
 */
describe('migrations', () => {
  let dataSource: DataSource;
  let embedded: EmbeddedPostgres | undefined;
  let server: ServerDatabase | undefined;

  /** Statements TypeORM would run to make the database match the entities: none, when the migrations are complete. */
  const pendingSchemaChanges = async (): Promise<string[]> => (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((query) => query.query);

  const tables = async (): Promise<string[]> =>
    (await dataSource.query<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map(
      (row) => row.tablename,
    );

  beforeAll(async () => {
    let url: string;
    if (process.env.DATABASE_URL) {
      server = await createServerDatabase(process.env.DATABASE_URL);
      url = server.url;
    } else {
      embedded = await EmbeddedPostgres.start('memory://', 2);
      url = embedded.url;
    }
    dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 1, migrationsRun: false, entities: ENTITIES }));
    await dataSource.initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    await server?.drop();
  });

  it('build the schema the entities describe', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await pendingSchemaChanges()).toEqual([]);
  });

  it('revert one by one down to an empty schema, and apply again to the same schema', async () => {
    for (let left = MIGRATIONS.length; left > 0; left -= 1) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await pendingSchemaChanges()).toEqual([]);
  });
});
