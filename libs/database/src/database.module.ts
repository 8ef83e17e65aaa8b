import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/src/index.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { buildDataSourceOptions } from './typeorm-options.js';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

// A few connections beyond the pool for the migration runner and health checks.
const EMBEDDED_SPARE_CONNECTIONS = 5;

/** Closes the pool before the embedded server it talks to, whatever order Nest runs shutdown hooks in. */
@Injectable()
class EmbeddedPostgresLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedPostgres');

  constructor(
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded.stop();
    this.logger.log('embedded database stopped');
  }
}

@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<EmbeddedPostgres | null> => {
        const { database } = config;
        if (database.kind !== 'embedded') return null;
        const embedded = await EmbeddedPostgres.start(database.dataDir, database.poolSize + EMBEDDED_SPARE_CONNECTIONS);
        new Logger('EmbeddedPostgres').log(`embedded PostgreSQL (PGlite) serving ${database.dataDir} on ${embedded.url}`);
        return embedded;
      },
    },
  ],
  exports: [EMBEDDED_POSTGRES],
})
class EmbeddedPostgresModule {}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EMBEDDED_POSTGRES],
      useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null) => {
        const { database } = config;
        const url = database.kind === 'postgres' ? database.url : (embedded as EmbeddedPostgres).url;
        return buildDataSourceOptions({ url, poolSize: database.poolSize, migrationsRun: database.migrationsRun });
      },
    }),
    EmbeddedPostgresModule,
  ],
  providers: [EmbeddedPostgresLifecycle],
})
export class DatabaseModule {}
