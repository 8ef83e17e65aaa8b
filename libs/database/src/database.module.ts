import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/src/index.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { PreparedStatements } from './prepared-statements.js';
import { buildDataSourceOptions } from './typeorm-options.js';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

/**
 * PGlite is one PostgreSQL session behind a queue. Its socket server keeps a connection's messages together only
 * inside a transaction, so two connections' extended-protocol queries (parse/bind/execute) can interleave and
 * break each other. One pooled connection keeps every query whole; PGlite runs one query at a time anyway.
 */
const EMBEDDED_POOL_SIZE = 1;
// Under a burst every request waits its turn for that one connection; give the queue time instead of failing. It runs
// in this process, so it cannot become unreachable: no query limits either (a long migration must not be cut off).
const EMBEDDED_CONNECTION_WAIT_MS = 60_000;

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
        const embedded = await EmbeddedPostgres.start(database.dataDir, EMBEDDED_POOL_SIZE + 1);
        new Logger('EmbeddedPostgres').log(`embedded PostgreSQL (PGlite) serving ${database.dataDir} on ${embedded.url}`);
        return embedded;
      },
    },
  ],
  exports: [EMBEDDED_POSTGRES],
})
class EmbeddedPostgresModule {}

// Global, like the DataSource: every repository may run prepared statements.
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EMBEDDED_POSTGRES],
      useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null) => {
        const { database } = config;
        const options =
          database.kind === 'postgres'
            ? buildDataSourceOptions({
                url: database.url,
                poolSize: database.poolSize,
                migrationsRun: database.migrationsRun,
                connectionWaitMs: database.connectTimeoutMs,
                queryTimeoutMs: database.queryTimeoutMs,
              })
            : buildDataSourceOptions({
                url: (embedded as EmbeddedPostgres).url,
                poolSize: EMBEDDED_POOL_SIZE,
                connectionWaitMs: EMBEDDED_CONNECTION_WAIT_MS,
                migrationsRun: database.migrationsRun,
              });
        // The entities are those the modules register (TypeOrmModule.forFeature): this layer knows no domain.
        return { ...options, autoLoadEntities: true };
      },
    }),
    EmbeddedPostgresModule,
  ],
  providers: [
    EmbeddedPostgresLifecycle,
    {
      provide: PreparedStatements,
      inject: [DataSource, AppConfig],
      useFactory: (dataSource: DataSource, config: AppConfig) => new PreparedStatements(dataSource, config.database.kind === 'postgres'),
    },
  ],
  exports: [PreparedStatements],
})
export class DatabaseModule {}
