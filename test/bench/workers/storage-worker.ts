import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { PreparedStatements } from '../../../libs/database/src/prepared-statements.js';
import { buildDataSourceOptions } from '../../../libs/database/src/typeorm-options.js';
import { MessagesRepository } from '../../../libs/messages/src/messages.repository.js';
import { serveCommands } from '../child-worker.js';

/**
 * The storage ceiling beside the delivery figures: Parley's own send statement (MessagesRepository, through TypeORM
 * and pg, with the server's pool size) called back to back by `concurrency` callers, with no HTTP, sockets or Nest.
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
let sent = 0;

async function store(concurrency: number, durationMs: number, senders: { senderId: number; threadId: number }[]): Promise<StorageResult> {
  if (!dataSource) throw new Error('open first');
  // As the server runs it on PostgreSQL: a named prepared statement.
  const messages = new MessagesRepository(dataSource, new PreparedStatements(dataSource, true));
  const latencies: number[] = [];
  const started = performance.now();
  const caller = async (): Promise<void> => {
    while (performance.now() - started < durationMs) {
      const { senderId, threadId } = senders[sent++ % senders.length];
      const sentAt = performance.now();
      await messages.insertMessageIdempotent({ threadId, senderId, text: `storage ceiling ${sent}`, clientMessageId: `storage-${process.pid}-${sent}` });
      latencies.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { stored: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

serveCommands<StorageCommand>(async (command) => {
  switch (command.type) {
    case 'open':
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
