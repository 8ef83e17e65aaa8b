import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '../../../libs/config/src/index.js';
import { AppModule } from './app.module.js';
import { DemoSeedRefused, seedDemoData } from './demo-data.js';

/** `npm run seed`: the demo data, idempotently, into the configured database (embedded when DATABASE_URL is unset). */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await seedDemoData(app);
    process.stdout.write(`demo data ready (${config.database.kind} database): sign in as davidjones / password, staff: admin\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DemoSeedRefused;
  process.stderr.write(`${known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
