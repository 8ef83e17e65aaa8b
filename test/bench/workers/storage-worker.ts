import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { PreparedStatements } from '../../../libs/database/src/prepared-statements.js';
import { buildDataSourceOptions } from '../../../libs/database/src/typeorm-options.js';
import { DomainEvents } from '../../../libs/common/src/index.js';
import { loadConfig } from '../../../libs/config/src/index.js';
import { MessagesRepository } from '../../../libs/messages/src/messages.repository.js';
import { MessageSendQueue } from '../../../libs/messages/src/send-queue.js';
import { serveCommands } from '../child-worker.js';

/**
 * The storage ceiling beside the delivery figures: Parley's own send path to the database (the group-commit queue and
 * its batch statement, through TypeORM and pg, with the server's pool size) called back to back by `concurrency`
 * callers, with no HTTP, sockets or Nest, and no refusals.
 */
export type StorageCommand =
  | { type: 'open'; databaseUrl: string; poolSize: number }
  | { type: 'store'; concurrency: number; durationMs: number; senders: { senderId: number; threadId: number }[] }
  | { type: 'close' };

export interface StorageResult {
  stored: number;
  seconds: number;
  latencies: number[];
}

let dataSource: DataSource | undefined;
let databaseUrl = '';
let poolSize = 1;
let sent = 0;

async function store(concurrency: number, durationMs: number, senders: { senderId: number; threadId: number }[]): Promise<StorageResult> {
  if (!dataSource) throw new Error('open first');
  // As the server runs it on PostgreSQL: a named prepared statement.
  const repository = new MessagesRepository(dataSource, new PreparedStatements(dataSource, true));
  const config = loadConfig({ DATABASE_URL: databaseUrl, DB_POOL_SIZE: String(poolSize), SEND_QUEUE_BUDGET_MS: '0' });
  const queue = new MessageSendQueue(repository, new DomainEvents(), config);
  const latencies: number[] = [];
  const started = performance.now();
  const caller = async (): Promise<void> => {
    while (performance.now() - started < durationMs) {
      const { senderId, threadId } = senders[sent++ % senders.length];
      const sentAt = performance.now();
      await queue.enqueue({ threadId, senderId, text: `storage ceiling ${sent}`, clientMessageId: `storage-${process.pid}-${sent}` });
      latencies.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { stored: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

serveCommands<StorageCommand>(async (command) => {
  switch (command.type) {
    case 'open':
      databaseUrl = command.databaseUrl;
      poolSize = command.poolSize;
      dataSource = new DataSource(buildDataSourceOptions({ url: command.databaseUrl, poolSize: command.poolSize, migrationsRun: false }));
      await dataSource.initialize();
      return null;
    case 'store':
      return store(command.concurrency, command.durationMs, command.senders);
    case 'close':
      await dataSource?.destroy();
      return null;
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
});
